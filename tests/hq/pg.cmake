# pg.cmake - head-office tests on PostgreSQL (hq/hq_store_pg.c), included at
# the end of tests/hq/CMakeLists.txt. Every test runs through pg_harness.sh,
# which starts a throwaway PostgreSQL server (initdb + pg_ctl, as the postgres
# user when run as root) and exits 77 = skipped only when PostgreSQL is not
# installed. Tests elsewhere that take the head-office database from
# FDHQ_TEST_DB also run a second time, here, against PostgreSQL.
if(NOT TARGET fdhq OR NOT EXISTS "${PROJECT_SOURCE_DIR}/hq/hq_store_pg.c")
  return()
endif()
set(FD_PG_HARNESS "${CMAKE_CURRENT_LIST_DIR}/pg_harness.sh")

# fd_hq_pg_add(TEST TARGET [ARGS...]): runs TARGET's program through the
# harness; an argument @DSN@ becomes the server's postgresql:// URI.
function(fd_hq_pg_add test target)
  add_test(NAME ${test} COMMAND sh "${FD_PG_HARNESS}" "$<TARGET_FILE:${target}>" ${ARGN})
  set_tests_properties(${test} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endfunction()

function(fd_hq_pg_test name)
  add_executable(${name} "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${name}.c")
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/tests"
                             "${PROJECT_SOURCE_DIR}/tests/hq")
  target_compile_definitions(${name} PRIVATE
    FDHQ_BIN="$<TARGET_FILE:frontdesk-hq>"
    FD_SCHEMA_DIR="${PROJECT_SOURCE_DIR}/data/schema")
  target_link_libraries(${name} PRIVATE fdsync fdhq Threads::Threads)
  add_dependencies(${name} frontdesk-hq)
  fd_hq_pg_add(${name} ${name})
endfunction()

fd_hq_pg_test(test_hq_pg_store)
fd_hq_pg_test(test_hq_pg_two)
# Group commit: concurrent pushes share a transaction; kill -9 before its commit.
fd_hq_pg_test(test_hq_pg_group)

# The store contract test of tests/hq/CMakeLists.txt, on PostgreSQL.
if(TARGET test_hq_store)
  fd_hq_pg_add(test_hq_store_pg test_hq_store @DSN@)
endif()

# The SQLite-backend tests that accept a database URI (FDHQ_TEST_DB), again
# on PostgreSQL as <name>_pg.
foreach(t IN ITEMS test_sync_e2e test_sync_faults test_hq_refuse test_sync_hostile test_hq_hostile
                 test_hq_proxy test_sync_invite)
  if(TARGET ${t})
    get_target_property(dir ${t} SOURCE_DIR)
    if(EXISTS "${dir}/${t}.c")
      file(READ "${dir}/${t}.c" src)
      string(FIND "${src}" "FDHQ_TEST_DB" at)
      if(at GREATER -1)
        fd_hq_pg_add(${t}_pg ${t})
      endif()
    endif()
  endif()
endforeach()
