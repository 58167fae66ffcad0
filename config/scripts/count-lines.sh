#!/bin/sh
# Long-running example: one line a second for a while, so the live view and Stop can be tried.
n=${COUNT:-120}
i=1
while [ "$i" -le "$n" ]; do
  echo "line $i of $n at $(date +%H:%M:%S)"
  i=$((i + 1))
  sleep 1
done
echo "done"
