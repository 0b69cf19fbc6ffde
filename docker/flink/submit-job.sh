#!/usr/bin/env bash
# The compose stack's `job` service: submits the Beckon engagement job to the session cluster,
# once, resuming from the newest retained checkpoint or savepoint when there is one.
#
# Environment:
#   BECKON_RESTORE  auto (default): newest _metadata under /flink-data/checkpoints or
#                   /flink-data/savepoints; none: start without state on purpose (passes
#                   --allow.start.without.state true); or a savepoint/checkpoint path
#
# Submits with `flink run` (the CLI posts the job graph to the REST /jobs endpoint), so it works
# with the web UI's jar upload disabled (web.submit.enable: false in flink-conf/config.yaml).
#   BECKON_JOB_JAR  default /jars/beckon-jobs-0.1.0-SNAPSHOT-job.jar
#   BECKON_JOB_ARGS extra `--key value` job settings appended to the command line
set -euo pipefail

rest="jobmanager:8081"
jar="${BECKON_JOB_JAR:-/jars/beckon-jobs-0.1.0-SNAPSHOT-job.jar}"
job_name="beckon-engagement"   # the name EngagementJob.main passes to env.execute
parallelism=2                  # parallelism.default in flink-conf/config.yaml

if [ ! -s "$jar" ]; then
  echo "beckon: job jar $jar not found; build it first: mvn -B -DskipTests package (at the repository root)" >&2
  exit 1
fi

# The JobManager's healthcheck only says its REST API is up; wait until TaskManagers have
# registered enough slots, so the job does not sit waiting for resources.
for attempt in $(seq 1 90); do
  slots="$(wget -q -O - "http://$rest/overview" 2>/dev/null | sed -n 's/.*"slots-total":\([0-9]*\).*/\1/p' || true)"
  if [ -n "$slots" ] && [ "$slots" -ge "$parallelism" ]; then
    break
  fi
  if [ "$attempt" -eq 90 ]; then
    echo "beckon: fewer than $parallelism task slots registered after 3 minutes; is the taskmanager up?" >&2
    exit 1
  fi
  sleep 2
done

# Once only: a second copy of the job would write with the same transactional ids and the two
# would keep fencing each other. Re-running `docker compose up` therefore leaves a running job alone.
running="$(flink list -r -m "$rest" 2>/dev/null || true)"
if grep -q " : $job_name (" <<<"$running"; then
  echo "beckon: $job_name is already running; nothing to submit"
  exit 0
fi

restore=()
start_args=()
case "${BECKON_RESTORE:-auto}" in
  none) start_args=(--allow.start.without.state true) ;;
  auto)
    latest="$(ls -1t /flink-data/checkpoints/*/chk-*/_metadata /flink-data/savepoints/*/_metadata 2>/dev/null | head -n 1 || true)"
    if [ -n "$latest" ]; then
      restore=(-s "$(dirname "$latest")")
    fi
    ;;
  *) restore=(-s "$BECKON_RESTORE") ;;
esac
if [ ${#restore[@]} -gt 0 ]; then
  echo "beckon: resuming from ${restore[1]}"
else
  echo "beckon: starting without saved state"
fi

# Rules and policies come from the compacted rules and policies topics; the job holds events until
# it has read them.
# The job refuses the default transactional id prefix: this stack names its own. Without a
# restore path it also refuses to start when its consumer group already has committed offsets
# (a previous run's state would be dropped): then resume from a savepoint or set
# BECKON_RESTORE=none.
# shellcheck disable=SC2086 # BECKON_JOB_ARGS is a list of words on purpose
exec flink run -d -m "$rest" "${restore[@]}" "$jar" \
  --bootstrap.servers kafka:9092 \
  --schema.registry.url http://registry:8080/apis/ccompat/v7 \
  --transactional.id.prefix beckon-docker \
  "${start_args[@]}" \
  ${BECKON_JOB_ARGS:-}
