// emoji_manifest.js - reads the emoji metadata (emoji.json of the
// emoji-datasource packages) and prints, one line per image, where it goes:
//
//     split <TAB> name <TAB> image file <TAB> CycleGAN domain <TAB> group
//
// split is train, val or test; name is the short name, with ".toneN" for a
// skin-tone variant (".toneN-M" for two people); the domain is A or B for a
// training image (which half of the unpaired set gets it) and - otherwise;
// the group is the key of the near-twins it belongs to (below), which
// check_unpaired.sh uses to prove that the splits share no emoji.
//
// The split is deterministic and never separates near-twins: an emoji, its
// skin tones and its man/woman/person forms (man-cook, woman-cook, cook) form
// one group, and a whole group goes to one split. Within each category the
// groups are ordered by a hash of their key and dealt out 8 : 1 : 1 to
// train, val and test, so every category has about 10% of its emoji in val
// and in test, and adding emoji to a later release moves few existing ones.
//
// Both packages ship an emoji.json; an image is kept only when the Google
// one says it has a Google image and the Twitter one a Twitter image, so the
// two image sets are compared on the same emoji (their intersection).
//
// usage: node emoji_manifest.js google/emoji.json twitter/emoji.json > manifest.tsv
'use strict';
const fs = require('fs');

const SKIP_CATEGORIES = new Set(['Component']);   // bare skin-tone swatches and hair parts
const TONES = {'1F3FB': '1', '1F3FC': '2', '1F3FD': '3', '1F3FE': '4', '1F3FF': '5'};
// Code points that only say who or which gender: replaced or dropped in a group key.
const PEOPLE = {'1F468': 'P', '1F469': 'P', '1F9D1': 'P',    // man, woman, person
                '1F466': 'C', '1F467': 'C', '1F9D2': 'C',    // boy, girl, child
                '1F474': 'O', '1F475': 'O', '1F9D3': 'O'};   // old man, old woman, older person
const DROP = new Set(['200D', 'FE0F', '2640', '2642']);     // joiner, emoji style, gender signs

function groupKey(unified) {
    return unified.split('-')
        .filter((cp) => !DROP.has(cp) && !(cp in TONES))
        .map((cp) => PEOPLE[cp] || cp)
        .join('-');
}

// FNV-1a, 32 bits: a stable hash that any language can recompute.
function fnv1a(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
}

// The image files the Twitter package has, base emoji and skin tones.
function twitterImages(emoji) {
    const have = new Set();
    for (const e of emoji) {
        if (e.has_img_twitter) have.add(e.image);
        for (const v of Object.values(e.skin_variations || {}))
            if (v.has_img_twitter) have.add(v.image);
    }
    return have;
}

function main() {
    const emoji = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const twitter = twitterImages(JSON.parse(fs.readFileSync(process.argv[3], 'utf8')));
    const both = (e) => e.has_img_google && twitter.has(e.image);
    const groups = new Map();   // key -> {category, images: [{name, image}]}
    for (const e of emoji) {
        if (SKIP_CATEGORIES.has(e.category) || !both(e)) continue;
        const key = groupKey(e.unified);
        if (!groups.has(key)) groups.set(key, {key, category: e.category, images: []});
        const g = groups.get(key);
        g.images.push({name: e.short_name, image: e.image});
        for (const [tones, v] of Object.entries(e.skin_variations || {})) {
            if (!both(v)) continue;
            const suffix = tones.split('-').map((t) => TONES[t]).join('-');
            g.images.push({name: `${e.short_name}.tone${suffix}`, image: v.image});
        }
    }
    const byCategory = new Map();
    for (const g of groups.values()) {
        if (!byCategory.has(g.category)) byCategory.set(g.category, []);
        byCategory.get(g.category).push(g);
    }
    const lines = [];
    for (const category of [...byCategory.keys()].sort()) {
        const list = byCategory.get(category);
        list.sort((a, b) => fnv1a(a.key) - fnv1a(b.key) || (a.key < b.key ? -1 : 1));
        list.forEach((g, i) => {
            const split = i % 10 === 8 ? 'val' : i % 10 === 9 ? 'test' : 'train';
            const domain = split === 'train' ? (i % 2 === 0 ? 'A' : 'B') : '-';
            for (const im of g.images)
                lines.push(`${split}\t${im.name}\t${im.image}\t${domain}\t${g.key}`);
        });
    }
    process.stdout.write(lines.join('\n') + '\n');
}

// fluent_manifest.js splits the Fluent emoji by the same rules.
module.exports = {SKIP_CATEGORIES, groupKey, fnv1a};

if (require.main === module) main();
