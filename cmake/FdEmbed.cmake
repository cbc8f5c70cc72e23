# fd_embed(TARGET SYMBOL FILE...) - adds a generated C file to TARGET that holds
# FILEs as `SYMBOL[]` (see cmake/embed.cmake). Rebuilt when a file changes.
function(fd_embed target symbol)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${symbol}_embed.c")
  list(JOIN ARGN "|" files)
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} "-DOUT=${out}" "-DSYMBOL=${symbol}"
            "-DFILES=${files}" -P "${PROJECT_SOURCE_DIR}/cmake/embed.cmake"
    DEPENDS ${ARGN} "${PROJECT_SOURCE_DIR}/cmake/embed.cmake"
    COMMENT "Embedding ${symbol}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}/cmake")
endfunction()
