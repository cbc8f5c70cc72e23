# Turns a list of files into a C source holding their bytes, so that a binary
# never depends on a file path at run time (schema migrations, translations).
# Called at build time:  cmake -DOUT=x.c -DSYMBOL=name -DFILES="a;b" -P embed.cmake
# The C file defines `const struct fd_embedded_file SYMBOL[]` and `SYMBOL_count`,
# in the order given (callers sort by name when the order matters).
string(REPLACE "|" ";" FILES "${FILES}")
set(body "#include \"embedded.h\"\n")
set(table "")
set(i 0)
foreach(f IN LISTS FILES)
  file(READ "${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  get_filename_component(name "${f}" NAME)
  string(APPEND body "static const unsigned char ${SYMBOL}_${i}[] = {${bytes}0x00};\n")
  string(APPEND table "  {\"${name}\", (const char *)${SYMBOL}_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "const struct fd_embedded_file ${SYMBOL}[] = {\n${table}  {0, 0, 0}\n};\n")
string(APPEND body "const int ${SYMBOL}_count = ${i};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
