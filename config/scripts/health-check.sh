#!/bin/sh
# One-time example: a quick health summary. Runs with no shell features the bot provides:
# it is executed by path, with no arguments from the chat.
echo "host:    $(cat /proc/sys/kernel/hostname)"
echo "uptime:  $(cut -d' ' -f1 /proc/uptime)s"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "memory:  $(grep -E '^MemAvailable' /proc/meminfo)"
echo "run by:  ${OCTOPUS_USER_ID:-unknown} (run ${OCTOPUS_RUN_ID:-?})"
