// SPDX-License-Identifier: MIT
#pragma once
// The socket API's address functions and constants (AF_INET, AF_INET6,
// inet_pton, inet_ntop, INET6_ADDRSTRLEN) through one door. They have the
// same names on every OS but live in different headers; this is the only
// file outside client/platform/ that may test which OS it is built for.

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif
