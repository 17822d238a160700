# Helpers that keep every target uniform: one library per folder, tests beside the code.
include_guard(GLOBAL)
include(GoogleTest)

# Warnings for our own code only (third-party headers come in as SYSTEM includes).
add_library(kaiban_warnings INTERFACE)
target_compile_options(kaiban_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-qual -Wformat=2
  -Wimplicit-fallthrough $<$<BOOL:${KAIBAN_WERROR}>:-Werror>
  # GCC 12 with optimisation reports -Wrestrict on plain std::string concatenation ("a" + s)
  # (GCC bug 105329) and -Wmaybe-uninitialized inside libstdc++'s std::regex/std::function:
  # false positives in library code that would fail every optimised build.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict
  -Wno-maybe-uninitialized>)

# kaiban_library(<name> SOURCES <files...> [PUBLIC_LINK <targets...>] [PRIVATE_LINK <targets...>])
# A static library whose headers are included as "<folder>/<file>.h" from the repository root.
function(kaiban_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LINK;PRIVATE_LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_LINK} PRIVATE kaiban_warnings ${ARG_PRIVATE_LINK})
endfunction()

# kaiban_executable(<name> SOURCES <files...> [LINK <targets...>])
function(kaiban_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE kaiban_warnings ${ARG_LINK})
endfunction()

# kaiban_test(<name> SOURCES <files...> [LINK <targets...>] [LABEL unit|integration])
# A GoogleTest binary; each TEST becomes its own CTest test, discovered when ctest runs
# (not at build time, so a sanitizer build does not run every binary while linking).
# Tests run with the repository root as KAIBAN_SOURCE_DIR and the build tree as
# KAIBAN_BUILD_DIR so they can find data files and the binaries under test.
function(kaiban_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE kaiban_warnings kaiban_testing ${ARG_LINK}
                        GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES
      LABELS ${ARG_LABEL}
      TIMEOUT ${ARG_TIMEOUT}
      ENVIRONMENT "KAIBAN_SOURCE_DIR=${PROJECT_SOURCE_DIR};KAIBAN_BUILD_DIR=${PROJECT_BINARY_DIR}")
endfunction()
