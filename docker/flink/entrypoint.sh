#!/usr/bin/env bash
# Entrypoint of every Flink container in docker/compose.yaml (jobmanager, taskmanager, job):
# installs Beckon's config.yaml, makes sure the Prometheus reporter is loadable, then hands over
# to the official image's /docker-entrypoint.sh with the same arguments.
#
# Why copy instead of mounting flink-conf/config.yaml onto /opt/flink/conf/config.yaml: on every
# start the image's entrypoint rewrites conf/config.yaml in place (bin/config-parser-utils.sh sets
# jobmanager.rpc.address from JOB_MANAGER_RPC_ADDRESS, pins blob.server.port and applies
# FLINK_PROPERTIES, then writes the whole file back). On a read-only mount that write fails; on a
# writable mount the container would rewrite the repository's file (flattened, comments gone).
# So the repository's file is mounted read-only at /beckon/flink-conf/config.yaml and copied into
# the image's own conf folder here, and the image's entrypoint then works on the copy unchanged.
set -euo pipefail

src=/beckon/flink-conf/config.yaml
if [ ! -f "$src" ]; then
  echo "beckon: $src is missing (compose mounts ../flink-conf/config.yaml there)" >&2
  exit 1
fi
cp "$src" "$FLINK_HOME/conf/config.yaml"

# config.yaml names the Prometheus reporter; Flink loads reporters from lib/ or from a folder of
# their own under plugins/. Flink 2.x distributions (and so the official image) ship it as
# plugins/metrics-prometheus/; if an image lacks it there, stage the copy from opt/.
if ! ls "$FLINK_HOME"/plugins/metrics-prometheus/flink-metrics-prometheus-*.jar >/dev/null 2>&1 \
    && ! ls "$FLINK_HOME"/lib/flink-metrics-prometheus-*.jar >/dev/null 2>&1; then
  jar="$(ls "$FLINK_HOME"/opt/flink-metrics-prometheus-*.jar 2>/dev/null | head -n 1 || true)"
  if [ -n "$jar" ]; then
    mkdir -p "$FLINK_HOME/plugins/metrics-prometheus"
    cp "$jar" "$FLINK_HOME/plugins/metrics-prometheus/"
    echo "beckon: staged $(basename "$jar") as a plugin"
  else
    echo "beckon: WARNING: no flink-metrics-prometheus jar in plugins/, lib/ or opt/; no /metrics endpoint" >&2
  fi
fi

exec /docker-entrypoint.sh "$@"
