// fluent_manifest.js - pairs Microsoft's flat Fluent emoji (SVG, named by
// their CLDR name: icons/flat/red-apple.svg) with the 3-D ones (WebP, named
// by code point: assets/1f34e.webp), and prints where each emoji goes:
//
//     split <TAB> name <TAB> domain <TAB> flat file <TAB> 3-D file <TAB> group
//
// split is train or test; domain is A (the flat image goes to trainA) or B
// (the 3-D image goes to trainB) for a training emoji, - for a test emoji
// (both images, testA/<name>.png and testB/<name>.png); group as in
// emoji_manifest.js.
//
// A flat name becomes a code point through the CLDR short name of Unicode's
// emoji-test.txt ("grinning face with big eyes" -> grinning-face-with-big-eyes),
// which is how the Fluent files are named, or, failing that (emoji newer than
// Debian's emoji-test.txt), emoji-datasource's Unicode `name` field. CLDR
// comes first because the two naming schemes collide: the Unicode name of
// U+1F601 is "grinning face with smiling eyes", the CLDR name of U+1F604. Only the default skin tone is kept
// (`cook-default.svg`, not `cook-light.svg` ...): the five toned copies of a
// design differ only in skin colour and would make people and hands half of
// the set.
//
// The split follows emoji_manifest.js: near-twins form one group (an emoji
// and its man/woman/person forms), groups are ordered by a hash of their key
// within each category of emoji-datasource and dealt out in fives: the fifth
// to test, the others to training, alternating between A and B, so trainA
// and trainB share no emoji and no emoji of either is a test emoji.
//
// usage: node fluent_manifest.js FLAT_DIR 3D_DIR emoji.json emoji-test.txt REPORT > manifest.tsv
// REPORT receives the matching counts and every emoji left out, with why.
'use strict';
const fs = require('fs');
const {SKIP_CATEGORIES, groupKey, fnv1a} = require('./emoji_manifest.js');

const TONE = /-(light|medium-light|medium|medium-dark|dark)$/;

// "Woman’s Hat", "keycap: #", "piñata" -> womans-hat, keycap-#, pinata
function fluentName(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
        .replace(/[:,.'’"“”!()]/g, '').replace(/&/g, 'and')
        .replace(/[\s_]+/g, '-').replace(/-+/g, '-');
}

// CLDR name -> code points (upper case, as emoji-datasource's `unified`).
function cldrNames(path) {
    const names = new Map();
    const line = /^([0-9A-F ]+?)\s*; fully-qualified\s*# \S+ E[\d.]+ (.*)$/;
    for (const text of fs.readFileSync(path, 'utf8').split('\n')) {
        const m = text.match(line);
        if (m) names.set(fluentName(m[2]), m[1].replace(/ /g, '-'));
    }
    if (names.size === 0) throw new Error(`${path}: no "fully-qualified" lines (not emoji-test.txt?)`);
    return names;
}

function main() {
    const [flatDir, d3Dir, emojiJson, emojiTest, reportPath] = process.argv.slice(2);
    if (!reportPath) {
        process.stderr.write('usage: node fluent_manifest.js FLAT_DIR 3D_DIR emoji.json ' +
                             'emoji-test.txt REPORT > manifest.tsv\n');
        process.exit(2);
    }
    const emoji = JSON.parse(fs.readFileSync(emojiJson, 'utf8'));
    const byUnified = new Map(emoji.map((e) => [e.unified, e]));
    const byName = new Map(emoji.map((e) => [fluentName(e.name), e.unified]));
    const cldr = cldrNames(emojiTest);
    const d3 = new Set(fs.readdirSync(d3Dir).filter((f) => f.endsWith('.webp')));
    const flat = new Set(fs.readdirSync(flatDir).filter((f) => f.endsWith('.svg'))
        .map((f) => f.slice(0, -4)));

    const count = {flat: flat.size, tones: 0, designs: 0, unicode: 0, cldr: 0, kept: 0};
    const missed = {name: [], category: [], no3d: [], twice: []};
    const groups = new Map();   // key -> {key, category, images: [...]}
    const seen = new Set();     // code points already taken
    for (const file of [...flat].sort()) {
        let name = file;
        if (file.endsWith('-default')) name = file.slice(0, -'-default'.length);
        else if (TONE.test(file) && flat.has(file.replace(TONE, '-default'))) {
            count.tones++;
            continue;
        }
        count.designs++;
        let unified = cldr.get(name);
        if (unified) count.cldr++;
        else if ((unified = byName.get(name))) count.unicode++;
        else {
            missed.name.push(name);
            continue;
        }
        const e = byUnified.get(unified);
        if (!e || SKIP_CATEGORIES.has(e.category)) {
            missed.category.push(`${name} (${unified})`);
            continue;
        }
        // The 3-D files are named like emoji-datasource's images, some without FE0F.
        const base = e.image.replace(/\.png$/, '');
        const webp = [`${base}.webp`, `${base.replace(/-fe0f/g, '')}.webp`].find((f) => d3.has(f));
        if (!webp) {
            missed.no3d.push(`${name} (${base})`);
            continue;
        }
        if (seen.has(webp)) {
            missed.twice.push(`${name} (${base})`);
            continue;
        }
        seen.add(webp);
        count.kept++;
        const key = groupKey(unified);
        if (!groups.has(key)) groups.set(key, {key, category: e.category, images: []});
        groups.get(key).images.push({name, flat: `${file}.svg`, d3: webp});
    }

    const byCategory = new Map();
    for (const g of groups.values()) {
        if (!byCategory.has(g.category)) byCategory.set(g.category, []);
        byCategory.get(g.category).push(g);
    }
    const lines = [];
    const split = {trainA: 0, trainB: 0, test: 0};
    for (const category of [...byCategory.keys()].sort()) {
        const list = byCategory.get(category);
        list.sort((a, b) => fnv1a(a.key) - fnv1a(b.key) || (a.key < b.key ? -1 : 1));
        list.forEach((g, i) => {
            const test = i % 5 === 4;
            const domain = test ? '-' : i % 5 % 2 === 0 ? 'A' : 'B';
            for (const im of g.images) {
                lines.push([test ? 'test' : 'train', im.name, domain, im.flat, im.d3, g.key]
                    .join('\t'));
                split[test ? 'test' : `train${domain}`]++;
            }
        });
    }
    process.stdout.write(lines.join('\n') + '\n');

    const report = [
        `flat SVGs: ${count.flat}; skin-tone copies left out: ${count.tones}; designs: ${count.designs}`,
        `matched by the CLDR name of emoji-test.txt: ${count.cldr}; ` +
            `then by emoji-datasource's Unicode name: ${count.unicode}`,
        `kept (with a 3-D image): ${count.kept} in ${groups.size} groups: ` +
            `trainA ${split.trainA}, trainB ${split.trainB}, test ${split.test}`,
        `no code point found for the name (${missed.name.length}): ${missed.name.join(' ')}`,
        `in no usable category (${missed.category.length}): ${missed.category.join(' ')}`,
        `no 3-D image (${missed.no3d.length}): ${missed.no3d.join(' ')}`,
        `a second name for a code point already taken (${missed.twice.length}): ` +
            `${missed.twice.join(' ')}`,
    ];
    fs.writeFileSync(reportPath, report.join('\n') + '\n');
}

main();
