# isolate.awk - writes the isolated copy of an exercise file (the Makefile's
# ISOLATED_RULE): before each "BEGIN EXERCISE n.m" marker, EXERCISE_AT is set
# to n * 100 + m and the lesson's isolate header included again; #line
# directives keep the compiler's messages and __FILE__ on the student's file.
#   awk -v src=FILE.c -v header=isolate_F.h -f tests/support/isolate.awk FILE.c
NR == 1 { print "#line 1 \"" src "\"" }
/^[ \t]*\/\* BEGIN EXERCISE [0-9]+\.[0-9]+ \*\// {
    n = $0
    sub(/^[ \t]*\/\* BEGIN EXERCISE /, "", n)
    sub(/ \*\/.*/, "", n)
    split(n, v, ".")
    print "#undef EXERCISE_AT"
    print "#define EXERCISE_AT (" v[1] " * 100 + " v[2] ")"
    print "#include \"" header "\""
    print "#line " NR " \"" src "\""
}
{ print }
