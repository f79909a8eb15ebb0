# SPDX-License-Identifier: MIT
# Debian packages with CPack: one package per install component.
#   cmake -S . -B build-deb -G Ninja -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF
#   cmake --build build-deb --target probe-relay probe-client manual-pages
#   cpack --config build-deb/CPackConfig.cmake -B build-deb/packages
# gives probe-relay_<version>-1_<arch>.deb and probe-client_<version>-1_<arch>.deb.
# The relay's system files (unit, sysctl, conffile) are the relay's install
# rules in relay/CMakeLists.txt; this file adds what only a package needs.

# Debian packages are built on Linux only; the Windows client ships as one exe.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()

include(GNUInstallDirs)

set(reachback_deb_dir ${PROJECT_SOURCE_DIR}/deploy/debian)
# Debian keeps one changelog per source package, compressed without a
# timestamp (-n) so that two builds give the same bytes.
set(reachback_changelog_gz ${PROJECT_BINARY_DIR}/debian/changelog.Debian.gz)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/debian)
execute_process(
  COMMAND gzip -9 -n -c ${reachback_deb_dir}/changelog
  OUTPUT_FILE ${reachback_changelog_gz}
  COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${reachback_deb_dir}/changelog)

# The package version comes from project(); the changelog must say the same.
file(STRINGS ${reachback_deb_dir}/changelog reachback_changelog_head LIMIT_COUNT 1)
set(reachback_deb_release 1)
set(reachback_deb_version "${PROJECT_VERSION}-${reachback_deb_release}")
if(NOT reachback_changelog_head MATCHES "^reachback \\(${reachback_deb_version}\\) ")
  message(FATAL_ERROR "deploy/debian/changelog: its first entry must be version ${reachback_deb_version} "
                      "(project version ${PROJECT_VERSION}); it reads: ${reachback_changelog_head}")
endif()

# Each package gets its own /usr/share/doc/<package> with copyright and changelog.
function(reachback_package_docs component package)
  install(FILES ${reachback_deb_dir}/copyright ${reachback_changelog_gz}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
endfunction()

# Each program's manual page is its --help, through help2man: one text for
# both, so they cannot disagree. The NAME line is the package's summary;
# the page's date is the changelog's, so two builds give the same bytes.
find_program(HELP2MAN help2man REQUIRED)
execute_process(
  COMMAND dpkg-parsechangelog -l ${reachback_deb_dir}/changelog -S Timestamp
  OUTPUT_VARIABLE reachback_changelog_timestamp OUTPUT_STRIP_TRAILING_WHITESPACE
  COMMAND_ERROR_IS_FATAL ANY)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/man)
add_custom_target(manual-pages ALL)
function(reachback_manual_page component program description)
  string(REGEX REPLACE "\n.*" "" summary "${description}")
  set(page ${PROJECT_BINARY_DIR}/man/${program}.1)
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=${reachback_changelog_timestamp}
            ${HELP2MAN} --no-info --name=${summary} --output=${page} $<TARGET_FILE:${program}>
    COMMAND gzip -9 -n -f ${page}
    DEPENDS ${program}
    COMMENT "Writing the manual page of ${program}"
    VERBATIM)
  add_custom_target(${program}-manual-page DEPENDS ${page}.gz)
  add_dependencies(manual-pages ${program}-manual-page)
  install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${component})
endfunction()

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_PACKAGE_NAME reachback)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "reachback developers <maintainers@reachback.example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${reachback_deb_release})
set(CPACK_DEBIAN_PACKAGE_SOURCE reachback)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps reads the binaries' NEEDED entries: Depends names exactly
# the libraries (and versions) this build linked against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_COMPONENTS_ALL client)
set(CPACK_DEBIAN_CLIENT_PACKAGE_NAME probe-client)
set(CPACK_COMPONENT_CLIENT_DESCRIPTION
  "find which hop blocks an inbound port
probe-client checks why a port forwarded to this host cannot be reached from
the Internet. It asks a probe-relay to connect back to the public address,
watches what arrives with local checks and a packet capture, and names the
hop that blocks the port: the router's NAT forward, a firewall or the local
bind, with the fix.")
reachback_package_docs(client probe-client)
reachback_manual_page(client probe-client "${CPACK_COMPONENT_CLIENT_DESCRIPTION}")

if(TARGET probe-relay)
  list(APPEND CPACK_COMPONENTS_ALL relay)
  set(CPACK_DEBIAN_RELAY_PACKAGE_NAME probe-relay)
  # adduser: postinst creates the relay's system user.
  set(CPACK_DEBIAN_RELAY_PACKAGE_DEPENDS adduser)
  set(CPACK_COMPONENT_RELAY_DESCRIPTION
    "connects back to test forwarded ports for probe-client
probe-relay runs on a host with a public address. A probe-client connects to
it and asks it to connect back to the client's own public address and port,
then to sweep the path with TTL-limited packets, so that the client can tell
which hop blocks the port. It dials nothing but the address the request came
from, with deadlines and per-address limits.
.
The package runs it as a hardened systemd service under its own system user,
with its settings in /etc/reachback/relay.toml.")
  # CPack copies control files under their own names.
  set(reachback_relay_control_dir ${PROJECT_BINARY_DIR}/debian/probe-relay)
  foreach(control IN ITEMS postinst prerm postrm conffiles)
    configure_file(${reachback_deb_dir}/probe-relay.${control}
                   ${reachback_relay_control_dir}/${control} COPYONLY)
    list(APPEND CPACK_DEBIAN_RELAY_PACKAGE_CONTROL_EXTRA ${reachback_relay_control_dir}/${control})
  endforeach()
  reachback_package_docs(relay probe-relay)
  reachback_manual_page(relay probe-relay "${CPACK_COMPONENT_RELAY_DESCRIPTION}")
endif()

# Every path a package installs (the unit's ExecStart, /etc/reachback) is
# fixed when the tree is configured: a tree for /usr/local would make
# packages that point at the wrong place, so cpack refuses it.
set(reachback_cpack_check ${PROJECT_BINARY_DIR}/debian/cpack-check.cmake)
file(CONFIGURE OUTPUT ${reachback_cpack_check} CONTENT [[
if(NOT "@CMAKE_INSTALL_PREFIX@" STREQUAL "/usr")
  message(FATAL_ERROR "cpack: Debian packages need a build tree configured with -DCMAKE_INSTALL_PREFIX=/usr (this one has @CMAKE_INSTALL_PREFIX@)")
endif()
]] @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${reachback_cpack_check})

include(CPack)
