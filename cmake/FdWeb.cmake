# fd_web_app(TARGET SYMBOL SRC_DIR) - a browser app compiled into TARGET.
# Runs `npm run build` in SRC_DIR with FD_WEB_OUT set to a folder in the build
# tree (the app's package.json "build" script writes its finished files
# there), then compiles every file written there into TARGET as
# `const struct fd_embedded_file SYMBOL[]` (cmake/embedded.h), named by path
# relative to that folder ("index.html", "assets/app-1a2b.js"); lib/fdweb
# serves them. Reruns when a file under SRC_DIR (not node_modules) changes.
# The packages come from scripts/deps.sh (npm ci, as package-lock.json pins).
find_program(FD_NPM npm)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

function(fd_web_app target symbol src)
  if(NOT FD_NPM)
    message(FATAL_ERROR "fd_web_app(${symbol}): npm not found; run scripts/deps.sh")
  endif()
  file(GLOB_RECURSE inputs CONFIGURE_DEPENDS "${src}/*")
  list(FILTER inputs EXCLUDE REGEX "/node_modules/|/dist/")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/web-${symbol}")
  set(cfile "${CMAKE_CURRENT_BINARY_DIR}/${symbol}_web.c")
  add_custom_command(
    OUTPUT "${cfile}"
    COMMAND sh -c "test ! -f package-lock.json || test -d node_modules || { echo 'fd_web_app: ${src}/node_modules is missing: run scripts/deps.sh (npm ci)'; exit 1; }"
    COMMAND ${CMAKE_COMMAND} -E rm -rf "${out}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out}"
    COMMAND ${CMAKE_COMMAND} -E env "FD_WEB_OUT=${out}" ${FD_NPM} run --silent build
    COMMAND ${Python3_EXECUTABLE} "${PROJECT_SOURCE_DIR}/cmake/embed_tree.py" "${cfile}" ${symbol} "${out}"
    WORKING_DIRECTORY "${src}"
    DEPENDS ${inputs} "${PROJECT_SOURCE_DIR}/cmake/embed_tree.py"
    COMMENT "Building the browser app ${symbol} (npm run build) and embedding it"
    VERBATIM)
  target_sources(${target} PRIVATE "${cfile}")
  target_include_directories(${target} PRIVATE "${PROJECT_SOURCE_DIR}/cmake")
endfunction()
