# drsim_layer(NAME SOURCES... [LINKS libs...]): a layer library rooted at the project root so
# includes read "sim/core/time.hpp" everywhere.
function(drsim_layer name)
  cmake_parse_arguments(LAYER "" "" "SOURCES;LINKS" ${ARGN})
  add_library(${name} STATIC ${LAYER_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PUBLIC ${LAYER_LINKS})
endfunction()

# drsim_test(NAME SOURCES... LINKS libs...): one doctest binary per layer (link time on 2
# cores), its cases registered with ctest one by one. Case names must avoid , ; [ ]: doctest
# reads commas in --test-case as filter separators and CMake lists split on semicolons.
function(drsim_test name)
  cmake_parse_arguments(TEST "" "" "SOURCES;LINKS" ${ARGN})
  add_executable(${name} ${PROJECT_SOURCE_DIR}/tests/doctest_main.cpp ${TEST_SOURCES})
  target_link_libraries(${name} PRIVATE doctest::doctest ${TEST_LINKS})
  target_compile_definitions(${name} PRIVATE
    DRSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DRSIM_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  # A case that needs ../shared or a tool (tshark, xmllint) and finds it absent says so
  # ("skipped: tshark not present"); ctest then counts it as skipped, not passed.
  doctest_discover_tests(${name} PROPERTIES SKIP_REGULAR_EXPRESSION "skipped: [^ ]+ not present")
endfunction()
