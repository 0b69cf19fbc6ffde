"""A stand-in delivery worker for Beckon's compose stack.

Reads SendCommand records from the `send-commands` topic the way a real delivery service must:

* isolation.level=read_committed: the engagement job writes exactly-once, in Kafka transactions
  that commit when a Flink checkpoint completes; a read_uncommitted consumer would also see
  output of transactions that are later aborted (after a job failure) and so send twice.
* values are Avro in the Confluent wire format; the writer schema is fetched from the registry
  by the id in each record (subject send-commands-value).
* a command past its expires_at is dropped, not sent late.
* send_id is the idempotency key: a command whose send_id was already handled is dropped.

Instead of sending, it prints one line per command: ids, rule and channel, never the address or
the message text (see describe()). Settings come from environment variables
(see main()).
"""

import os
import re
import signal
import sys
from datetime import datetime, timezone

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def as_utc(value):
    """timestamp-millis fields arrive as aware datetimes (fastavro); accept raw millis too."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(value / 1000.0, tz=timezone.utc)


def iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


class SentIds:
    """send_ids already handled, each kept until its command's expires_at.

    A command can only be sent until it expires, so a send_id never needs remembering for
    longer than that: the memory stays bounded by the commands still alive. A real worker keeps
    this in durable storage (a unique key in its database) so that it survives restarts; here it
    lives in memory, and committed consumer offsets keep a restart from re-reading much.
    """

    def __init__(self):
        self._expiry = {}
        self._checks = 0

    def seen(self, send_id):
        return send_id in self._expiry

    def add(self, send_id, expires_at):
        self._expiry[send_id] = expires_at

    def prune(self, now):
        self._checks += 1
        if self._checks % 1000 == 0:
            for send_id in [s for s, e in self._expiry.items() if e < now]:
                del self._expiry[send_id]


def decide(command, now, sent):
    """Returns (action, reason): ("SEND", "") or ("DROP", why)."""
    send_id = command["send_id"]
    expires_at = as_utc(command["expires_at"])
    if expires_at <= now:
        return "DROP", "expired at " + iso(expires_at)
    if sent.seen(send_id):
        return "DROP", "duplicate send_id"
    sent.add(send_id, expires_at)
    sent.prune(now)
    return "SEND", ""


def describe(command, action, reason, now):
    """One log line for a command: ids, rule, channel and timing only.

    No address (email, phone number, push token) and no message text: the body and title are
    rendered from the user's profile and may carry personal data. Logs are kept and shipped far
    more widely than the delivery itself, so what identifies the send is enough to trace it.
    """
    send_after = as_utc(command["send_after"])
    when = "now" if send_after <= now else "at " + iso(send_after)
    line = (
        f"{action:<4} send_id={command['send_id']} user={command['user_id']} "
        f"rule={command['rule_id']}@v{command['rule_version']} trigger={command['trigger']} "
        f"channel={command['channel']}"
    )
    if action == "DROP":
        return f"{line} ({reason})"
    return f"{line} {when} variant={command['variant']}"


def without_credentials(url):
    """The URL with any user:password@ part masked, for logging."""
    return re.sub(r"://[^/@\s]+@", "://***@", url)


def main():
    bootstrap = os.environ.get("BOOTSTRAP_SERVERS", "localhost:29092")
    registry_url = os.environ.get("SCHEMA_REGISTRY_URL", "http://localhost:8081/apis/ccompat/v7")
    topic = os.environ.get("TOPIC", "send-commands")
    group = os.environ.get("GROUP_ID", "beckon-delivery-worker")

    deserialize = AvroDeserializer(schema_registry_client=SchemaRegistryClient({"url": registry_url}))
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            # Offsets are stored only after a command was handled (at-least-once); send_id
            # dedup absorbs what a restart re-reads.
            "enable.auto.commit": True,
            "enable.auto.offset.store": False,
        }
    )
    running = True

    def stop(signum, frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    consumer.subscribe([topic])
    print(f"delivery-worker: reading {topic} from {bootstrap} (read_committed), registry {without_credentials(registry_url)}", flush=True)
    sent = SentIds()
    try:
        while running:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                if msg.error().fatal():
                    raise KafkaException(msg.error())
                print(f"delivery-worker: {msg.error()}", file=sys.stderr, flush=True)
                continue
            where = f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"
            try:
                command = deserialize(msg.value(), SerializationContext(msg.topic(), MessageField.VALUE))
            except Exception as e:  # an unreadable record is reported and skipped, never retried forever
                print(f"SKIP {where}: cannot decode: {e}", flush=True)
                consumer.store_offsets(message=msg)
                continue
            if command is None:
                consumer.store_offsets(message=msg)
                continue
            now = datetime.now(timezone.utc)
            action, reason = decide(command, now, sent)
            print(describe(command, action, reason, now), flush=True)
            consumer.store_offsets(message=msg)
    finally:
        consumer.close()
        print("delivery-worker: stopped", flush=True)


if __name__ == "__main__":
    main()
