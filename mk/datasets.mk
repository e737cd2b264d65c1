# mk/datasets.mk - `make datasets`: the data sets of lessons 05-07, each made once, and the
# data `make run LESSON=NN` needs first.

# The emoji sets of lessons 05 (Pix2Pix) and 06 (CycleGAN), each made once
# (git-ignored; see datasets/README.md): datasets/emoji/ (lesson 05's pairs),
# then lesson 06's unpaired sets datasets/fluent/, google2twitter_unpaired/ and
# sketch2colour_unpaired/ (the last two cut from lesson 05's pairs). Each
# stamp is newer than everything that shapes its data, so a second
# `make datasets` does nothing.
EDGES_BIN        := $(BUILD)/tools/edges
EMOJI_PAIRS_BIN  := $(BUILD)/tools/emoji_pairs
UNPAIRED_SET_BIN := $(BUILD)/tools/unpaired_set
DOMAIN_GAP_BIN   := $(BUILD)/tools/domain_gap
DATA_TOOLS       := $(EDGES_BIN) $(EMOJI_PAIRS_BIN) $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)
EMOJI_STAMP      := datasets/emoji/.complete
UNPAIRED_STAMPS  := datasets/fluent/.complete datasets/google2twitter_unpaired/.complete \
                    datasets/sketch2colour_unpaired/.complete
# rsvg-convert rasterises the flat Fluent SVGs, dwebp decodes the 3-D WebPs,
# emoji-test.txt gives the CLDR names the flat files are named by.
FLUENT_PACKAGES  := librsvg2-bin webp unicode-data

# Lesson 07's content photographs and style images (paintings, wallpapers,
# textures) from five Debian packages, scaled to a short side of 256 px into
# datasets/adain/ (git-ignored). common/data/image.c shapes this data too (its
# resize and PNG writer) but is not a prerequisite: most of its changes do
# not, and a rebuild downloads 220 MB.
ADAIN_IMAGES_BIN := $(BUILD)/tools/adain_images
RCC_EXTRACT_BIN  := $(BUILD)/tools/rcc_extract
JIGSAW_BIN       := $(BUILD)/tools/jigsaw
ADAIN_TOOLS      := $(ADAIN_IMAGES_BIN) $(RCC_EXTRACT_BIN) $(JIGSAW_BIN)
ADAIN_STAMP      := datasets/adain/.complete

$(DATA_TOOLS) $(ADAIN_TOOLS): $(BUILD)/tools/%: datasets/tools/%.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(filter %.c %.a,$^) -o $@ $(LDLIBS)

# make test builds the tools too, so a change that breaks them fails there.
all: $(DATA_TOOLS) $(ADAIN_TOOLS) $(EVALUATOR_BIN) $(BENCH_BIN)

.PHONY: datasets datasets-emoji datasets-adain
datasets: datasets-emoji datasets-adain
datasets-emoji: $(EMOJI_STAMP) $(UNPAIRED_STAMPS)
datasets-adain: $(ADAIN_STAMP)

$(EMOJI_STAMP): datasets/fetch_emoji.sh datasets/npm_fetch.sh datasets/emoji_manifest.js \
                datasets/LICENSES.md datasets/tools/emoji_pairs.c common/data/edges.c common/data/edges.h \
                common/data/paired.c
	+@$(MAKE) --no-print-directory $(EMOJI_PAIRS_BIN) $(EDGES_BIN)
	datasets/fetch_emoji.sh $(EMOJI_PAIRS_BIN)

UNPAIRED_DEPS := datasets/check_unpaired.sh datasets/tools/unpaired_set.c \
                 datasets/tools/domain_gap.c datasets/LICENSES.md common/data/image.c common/data/paired.c \
                 common/data/edges.c

datasets/fluent/.complete: datasets/fetch_fluent.sh datasets/fluent_manifest.js \
                           datasets/emoji_manifest.js datasets/npm_fetch.sh $(UNPAIRED_DEPS)
	@sh tools/install_packages.sh datasets "the Fluent emoji: SVG and WebP decoders, emoji names" \
	  $(FLUENT_PACKAGES)
	+@$(MAKE) --no-print-directory $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)
	datasets/fetch_fluent.sh $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)

datasets/%_unpaired/.complete: $(EMOJI_STAMP) datasets/make_unpaired.sh $(UNPAIRED_DEPS)
	+@$(MAKE) --no-print-directory $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)
	datasets/make_unpaired.sh $* $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)

$(ADAIN_STAMP): datasets/fetch_adain.sh datasets/adain_manifest.tsv datasets/LICENSES.md \
                datasets/tools/adain_images.c datasets/tools/rcc_extract.c datasets/tools/jigsaw.c
	+@$(MAKE) --no-print-directory $(ADAIN_TOOLS)
	datasets/fetch_adain.sh $(ADAIN_TOOLS)

# `make run LESSON=NN` makes the lesson's data first when it is missing
# (DATA_NN: what lesson NN trains on).
DATA_05 := $(EMOJI_STAMP)
DATA_06 := $(UNPAIRED_STAMPS)
DATA_07 := $(ADAIN_STAMP)
run: $(DATA_$(call two_digits,$(firstword $(subst _, ,$(RUN_LESSON)))))
