"""Produces one Beckon event to the `events` topic (Avro, Confluent wire format, keyed by user_id).

Inside the compose stack (the schema folder is mounted at /schemas):
    docker compose -f docker/compose.yaml exec delivery-worker \
        python produce_event.py --user u-42 --type app_opened --properties '{"platform": "ios"}'

From the host (pip install "confluent-kafka[avro]"), run from the repository root:
    python docker/delivery-worker/produce_event.py --bootstrap localhost:29092 \
        --registry http://localhost:8081/apis/ccompat/v7 --schema schemas/src/main/avro/Event.avsc \
        --user u-42 --type app_opened
"""

import argparse
import json
import os
import sys
import uuid
from datetime import datetime, timezone

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap", default=os.environ.get("BOOTSTRAP_SERVERS", "localhost:29092"))
    p.add_argument("--registry", default=os.environ.get("SCHEMA_REGISTRY_URL", "http://localhost:8081/apis/ccompat/v7"))
    p.add_argument("--schema", default=os.environ.get("EVENT_SCHEMA", "/schemas/Event.avsc"))
    p.add_argument("--topic", default="events")
    p.add_argument("--user", required=True, help="user_id (also the record key)")
    p.add_argument("--type", required=True, help="event type, e.g. app_opened, cart_item_added")
    p.add_argument("--properties", default=None, help="the event's properties as one JSON object")
    p.add_argument("--time", default=None, help="event time, ISO-8601 UTC (default: now)")
    p.add_argument("--event-id", default=None, help="default: a random UUID")
    args = p.parse_args()

    properties = None
    if args.properties is not None:
        parsed = json.loads(args.properties)
        if not isinstance(parsed, dict):
            sys.exit("--properties must be a JSON object")
        properties = json.dumps(parsed)
    if args.time:
        when = datetime.fromisoformat(args.time.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    else:
        when = datetime.now(timezone.utc)

    event = {
        "event_id": args.event_id or str(uuid.uuid4()),
        "user_id": args.user,
        "type": args.type,
        "time": when,  # timestamp-millis: the serializer takes an aware datetime
        "properties": properties,
    }
    with open(args.schema, encoding="utf-8") as f:
        serialize = AvroSerializer(schema_registry_client=SchemaRegistryClient({"url": args.registry}), schema_str=f.read())
    value = serialize(event, SerializationContext(args.topic, MessageField.VALUE))

    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    failures = []
    producer.produce(
        args.topic, key=args.user.encode("utf-8"), value=value,
        on_delivery=lambda err, msg: failures.append(err) if err else None,
    )
    if producer.flush(30) > 0:
        sys.exit(f"not delivered within 30 s: is Kafka reachable at {args.bootstrap}?")
    if failures:
        sys.exit(f"not delivered: {failures[0]}")
    print(f"produced {event['type']} for {event['user_id']} (event_id {event['event_id']}, time {when.isoformat()})")


if __name__ == "__main__":
    main()
