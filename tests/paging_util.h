/* Shared by the paging suite's files. */
#ifndef TESTS_PAGING_UTIL_H
#define TESTS_PAGING_UTIL_H

/* A user-half address the tests map and unmap freely. */
#define TEST_VA 0x40000000u

#endif
