# SPDX-License-Identifier: MIT
# Runs PROGRAM with ARG1..ARG3 and checks the exit code is EXPECTED_EXIT and,
# when ONE_LINE is set, that stdout and stderr together hold exactly one line
# starting with "probe-relay: ", and when EXPECTED_TEXT is set, that the
# output matches that regular expression.
#   cmake -DPROGRAM=... -DARG1=... -DEXPECTED_EXIT=2 -DONE_LINE=ON -P expect_exit.cmake
set(args)
foreach(i 1 2 3)
  if(DEFINED ARG${i})
    list(APPEND args "${ARG${i}}")
  endif()
endforeach()
execute_process(COMMAND "${PROGRAM}" ${args}
                RESULT_VARIABLE code
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err
                TIMEOUT 10)
if(NOT code EQUAL EXPECTED_EXIT)
  message(FATAL_ERROR
          "exit code ${code}, expected ${EXPECTED_EXIT}\nstdout: ${out}\nstderr: ${err}")
endif()
if(ONE_LINE)
  string(REGEX MATCHALL "\n" newlines "${out}${err}")
  list(LENGTH newlines count)
  if(NOT count EQUAL 1 OR NOT "${out}${err}" MATCHES "^probe-relay: ")
    message(FATAL_ERROR "expected one line starting with 'probe-relay: ', got:\n${out}${err}")
  endif()
endif()
if(DEFINED EXPECTED_TEXT AND NOT "${out}${err}" MATCHES "${EXPECTED_TEXT}")
  message(FATAL_ERROR "expected output matching '${EXPECTED_TEXT}', got:\n${out}${err}")
endif()
