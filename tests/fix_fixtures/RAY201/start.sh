#!/usr/bin/env bash
# Head and workers started by one script.
set -e
ray start --head --port=6379 &&  echo started  # keep this comment
ray start --head \
    --num-cpus 16 \
    --port=6380
ssh head-2 'ray start --head'
ssh head-3 "ray start --head --port=$PORT"
for host in a b; do
  ssh "$host" "ray start --address=$HEAD:6379"
done
