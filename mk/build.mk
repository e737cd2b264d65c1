# mk/build.mk - the build: `make deps`, the library (build/lib/libcommon.a) and its
# tests (build/tests/common), and what every test binary links.

.PHONY: deps
deps: $(LIB_BUILD)/.deps-ok

# Installs the missing Debian packages when run as root; otherwise prints the
# exact command and stops.
$(LIB_BUILD)/.deps-ok: Makefile tools/install_packages.sh
	@sh tools/install_packages.sh deps "what the course builds and runs with" $(DEBIAN_PACKAGES)
	@mkdir -p $(@D) && touch $@


COMMON_SRCS := $(wildcard common/*/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(LIB_BUILD)/obj/%.o)
LIBCOMMON   := $(LIB_BUILD)/lib/libcommon.a

$(LIB_BUILD)/obj/%.o: %.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	ar rcs $@ $^


SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(LIB_BUILD)/obj/%.o)
COMMON_TEST_SRCS := $(wildcard tests/common/*.c)
COMMON_TEST_OBJS := $(COMMON_TEST_SRCS:%.c=$(LIB_BUILD)/obj/%.o)
COMMON_TEST_BIN  := $(LIB_BUILD)/tests/common

$(LIB_BUILD)/obj/tests/%.o: CFLAGS += -Itests/support -DREF_DIR='"$(CURDIR)/tests/ref/data"'

# Test files are linked as objects: Criterion drops tests found in a static archive.
$(COMMON_TEST_BIN): $(COMMON_TEST_OBJS) $(SUPPORT_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS)
