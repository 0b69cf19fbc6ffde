package io.beckon.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beckon.jobs.EngagementJob;
import io.beckon.jobs.JobConfig;
import io.beckon.jobs.kafka.DeadLetterSerializer;
import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WireFormat;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.tools.demo.BrokenRecords;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.JobID;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison on real parts (in-process broker, Apicurio registry, MiniCluster with RocksDB and
 * exactly-once sinks): every kind of bad record lands in the dead-letter topic with its reason, the
 * job never restarts (as Flink itself counts), and an ordinary event after the corpus still gives
 * its command.
 */
class PoisonCorpusIT {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final String PREFIX = "poison";
  static final ObjectMapper JSON = new ObjectMapper();

  static LocalInfrastructure infra;

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfrastructure.start("beckon-poison-it");
  }

  @AfterAll
  static void stop() {
    if (infra != null) {
      infra.close();
    }
  }

  /** One bad record: its key, value and the reason its dead letter must carry. */
  record Poison(String kind, byte[] value, String reason) {}

  @Test
  void everyKindOfBadRecordBecomesADeadLetterAndTheJobNeverRestarts(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    JobConfig config = job();
    publishPingRule(config);
    StreamExecutionEnvironment env = environment();
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-poison-it");
    try {
      SchemaRegistryClient registry = RegistryClients.create(infra.registry.url(), Map.of());
      int eventId =
          registry.register(
              PREFIX + "-events-value", new AvroSchema(Event.getClassSchema().toString()));
      List<Poison> corpus = corpus(registry, eventId);
      assertTrue(corpus.size() >= 20, "kinds: " + corpus.size());
      byte[] huge = new byte[1_040_000];
      Arrays.fill(huge, (byte) 'h');
      String now = Instant.now().minusSeconds(60).toString();
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        for (Poison p : corpus) {
          producer.send(record(p.kind(), p.value()));
        }
        producer.send(record("huge", huge)).get();
        // The ordinary event, then one a little later that moves event time past it.
        producer.send(record("u-ok", ping(eventId, "ok-1", "u-ok", now)));
        producer.send(
            record(
                "u-clock",
                ping(
                    eventId, "clock-1", "u-clock", Instant.parse(now).plusSeconds(30).toString())));
        producer.flush();
      }

      List<SendCommand> commands = new ArrayList<>();
      List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
      readCommitted(commands, deadLetters, corpus.size() + 1, Duration.ofSeconds(120));

      Map<String, String> expected = new LinkedHashMap<>();
      corpus.forEach(p -> expected.put(p.kind(), p.reason()));
      expected.put("huge", "not in the Confluent wire format: magic byte is 104");
      Map<String, String> got = new LinkedHashMap<>();
      Map<String, ConsumerRecord<byte[], byte[]>> byKind = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : deadLetters) {
        String kind = new String(r.key(), StandardCharsets.UTF_8);
        got.put(kind, header(r, DeadLetterSerializer.REASON_HEADER));
        byKind.put(kind, r);
      }
      assertEquals(expected, got);
      assertEquals(corpus.size() + 1, deadLetters.size(), "one dead letter per bad record");
      // Original bytes, untouched; the oversized one cut to fit, saying so.
      assertArrayEquals(corpus.get(0).value(), byKind.get(corpus.get(0).kind()).value());
      ConsumerRecord<byte[], byte[]> cut = byKind.get("huge");
      assertEquals("1040000", header(cut, DeadLetterSerializer.TRUNCATED_HEADER));
      assertTrue(cut.value().length < 1_000_000 && cut.value().length > 990_000);
      assertEquals(null, byKind.get("tombstone").value());

      assertEquals(
          List.of("u-ok ping pong", "u-clock ping pong"),
          commands.stream()
              .sorted(java.util.Comparator.comparing(SendCommand::getFireTime))
              .map(c -> c.getUserId() + " " + c.getRuleId() + " " + c.getBody())
              .toList());
      assertEquals(0L, restarts(cluster, job.getJobID()), "numRestarts read from Flink");
      assertEquals("RUNNING", job.getJobStatus().get().name());
    } finally {
      job.cancel().get();
    }
  }

  /** The bad records, one per way a record can fail. */
  static List<Poison> corpus(SchemaRegistryClient registry, int eventId) throws Exception {
    String now = Instant.now().minusSeconds(120).toString();
    int jsonId =
        registerOtherType(
            "JSON",
            "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
                + "\"properties\":{\"event_id\":{\"type\":\"string\"}}}");
    int protobufId =
        registerOtherType(
            "PROTOBUF",
            "syntax = \"proto3\";\npackage poison;\nmessage Event {\n  string event_id = 1;\n}\n");
    Schema string = Schema.create(Schema.Type.STRING);
    int stringId = registry.register(PREFIX + "-string-value", new AvroSchema(string.toString()));
    String node =
        "{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"poison\",\"fields\":["
            + "{\"name\":\"event_id\",\"type\":\"string\"},"
            + "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}";
    int nodeId = registry.register(PREFIX + "-node-value", new AvroSchema(node));
    Schema mapEvent = eventSchema("MapEvent", "{\"type\":\"map\",\"values\":\"double\"}", "long");
    int mapId = registry.register(PREFIX + "-map-value", new AvroSchema(mapEvent.toString()));
    Schema recordEvent =
        eventSchema(
            "RecordEvent",
            "{\"type\":\"record\",\"name\":\"Props\",\"fields\":[{\"name\":\"price\",\"type\":\"double\"}]}",
            "long");
    int recordId =
        registry.register(PREFIX + "-record-value", new AvroSchema(recordEvent.toString()));
    Schema stringTime = eventSchema("IsoEvent", "[\"null\",\"string\"]", "string");
    int isoId = registry.register(PREFIX + "-iso-value", new AvroSchema(stringTime.toString()));
    Schema tagged =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"TaggedEvent\",\"namespace\":\"poison\",\"fields\":["
                    + "{\"name\":\"event_id\",\"type\":\"string\"},{\"name\":\"user_id\",\"type\":\"string\"},"
                    + "{\"name\":\"type\",\"type\":\"string\"},{\"name\":\"time\",\"type\":\"long\"},"
                    + "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"null\"}}]}");
    int taggedId = registry.register(PREFIX + "-tagged-value", new AvroSchema(tagged.toString()));

    byte[] good = WireFormat.encode(eventId, event("g", "u-1", "x", now, null));
    long millis = Instant.parse(now).toEpochMilli();
    GenericRecord nan = generic(mapEvent, millis);
    nan.put("properties", Map.of("price", Double.NaN));
    GenericRecord inf = generic(recordEvent, millis);
    GenericRecord props = new GenericData.Record(recordEvent.getField("properties").schema());
    props.put("price", Double.POSITIVE_INFINITY);
    inf.put("properties", props);
    GenericRecord overflow = generic(stringTime, 0);
    overflow.put("time", "+1000000000-01-01T00:00:00Z");

    List<Poison> c = new ArrayList<>();
    c.add(
        new Poison(
            "magic",
            BrokenRecords.notInWireFormat(),
            "not in the Confluent wire format: magic byte is 123"));
    c.add(new Poison("short", new byte[] {0, 0, 1}, "not in the Confluent wire format: 3 bytes"));
    c.add(new Poison("tombstone", null, "tombstone (null value)"));
    c.add(
        new Poison(
            "unknown-id",
            BrokenRecords.unknownSchemaId(),
            "unknown schema id 32767 (not in the registry)"));
    c.add(
        new Poison(
            "json-schema",
            frame(jsonId, "{}".getBytes(StandardCharsets.UTF_8)),
            "schema id " + jsonId + " is a JSON schema, not Avro"));
    c.add(
        new Poison(
            "protobuf-schema",
            frame(protobufId, new byte[] {0, 10, 1, 'e'}),
            "schema id " + protobufId + " is a PROTOBUF schema, not Avro"));
    c.add(
        new Poison(
            "not-a-record",
            frame(stringId, new byte[] {2, 'x'}),
            "schema id " + stringId + " is an Avro string, not a record"));
    c.add(
        new Poison(
            "recursive",
            frame(nodeId, new byte[] {2, 'x', 0}),
            "schema id "
                + nodeId
                + " (poison.Node) is recursive: record poison.Node contains itself"));
    int oldId = registry.register(PREFIX + "-old-value", new AvroSchema(oldEventSchema()));
    c.add(
        new Poison(
            "lacks-user-id",
            BrokenRecords.withoutUserId(registry, PREFIX + "-old-value", millis),
            "schema id " + oldId + " (demo.OldEvent) has no field 'user_id'"));
    c.add(
        new Poison(
            "truncated",
            Arrays.copyOf(good, good.length - 2),
            "truncated Avro record: it ends inside a long"));
    byte[] trailing = Arrays.copyOf(good, good.length + 3);
    c.add(new Poison("trailing", trailing, "3 trailing bytes after the Avro record"));
    c.add(
        new Poison(
            "string-length-2^31",
            frame(eventId, varints(2147483639L)),
            "Avro string length 2147483639 is more than the 0 bytes left in the record"));
    c.add(
        new Poison(
            "map-length-2^31",
            frame(mapId, concat(prefixOfEvent(millis), varints(2147483639L))),
            "Avro map of 2147483639 items is more than the 0 bytes left in the record"));
    c.add(
        new Poison(
            "array-of-nulls-2^31",
            frame(taggedId, concat(prefixOfEvent(millis), varints(2147483647L))),
            "Avro array of 2147483647 items is more than the limit of 65536 items that take no"
                + " bytes"));
    String finite = ": every number must be finite (no NaN, Infinity or overflow such as 1e999)";
    c.add(
        new Poison(
            "json-nan",
            json(eventId, now, "{\"price\":NaN}"),
            "'properties' is not valid JSON: NaN is not a number: every number must be finite"));
    c.add(
        new Poison(
            "json-1e999",
            json(eventId, now, "{\"price\":1e999}"),
            "'properties' holds Infinity" + finite));
    c.add(new Poison("avro-map-nan", generic(mapId, nan), "'properties' holds NaN" + finite));
    c.add(
        new Poison(
            "avro-record-infinity",
            generic(recordId, inf),
            "'properties' holds Infinity" + finite));
    c.add(
        new Poison(
            "iso-year-overflow",
            generic(isoId, overflow),
            "'time' '+1000000000-01-01T00:00:00Z' is out of range: its year does not fit epoch"
                + " milliseconds"));
    c.add(
        new Poison(
            "before-2000",
            WireFormat.encode(eventId, event("b", "u-1", "x", "1999-12-31T23:59:59Z", null)),
            "'time' 1999-12-31T23:59:59Z is before the earliest allowed time 2000-01-01T00:00:00Z"));
    c.add(
        new Poison(
            "depth-17",
            json(eventId, now, "{\"a\":".repeat(16) + "{}" + "}".repeat(16)),
            "'properties' is nested deeper than the limit of 16 levels"));
    c.add(
        new Poison(
            "depth-100000",
            json(eventId, now, "[".repeat(100_000) + "]".repeat(100_000)),
            "'properties' is not valid JSON: nested deeper than the limit of 16 levels"));
    c.add(
        new Poison(
            "properties-over-64KiB",
            json(eventId, now, "{\"s\":\"" + "x".repeat(70_000) + "\"}"),
            "'properties' is 70008 bytes as compact JSON, over the limit of 65536"));
    c.add(
        new Poison(
            "event-id-257",
            WireFormat.encode(eventId, event("e".repeat(257), "u-1", "x", now, null)),
            "'event_id' is longer than 256 characters"));
    c.add(
        new Poison(
            "user-id-257",
            WireFormat.encode(eventId, event("e", "u".repeat(257), "x", now, null)),
            "'user_id' is longer than 256 characters"));
    c.add(
        new Poison(
            "type-129",
            WireFormat.encode(eventId, event("e", "u-1", "t".repeat(129), now, null)),
            "'type' is longer than 128 characters"));
    c.add(
        new Poison(
            "type-characters",
            WireFormat.encode(eventId, event("e", "u-1", "cart item", now, null)),
            "'type' 'cart item' has a character outside [A-Za-z0-9_.:-]"));
    c.add(
        new Poison(
            "attribute-name-129",
            WireFormat.encode(
                eventId,
                event(
                    "e",
                    "u-1",
                    "attributes_set",
                    now,
                    "{\"attributes\":{\"" + "n".repeat(129) + "\":1}}")),
            "attributes_set: attribute name of 129 characters is outside 1..128"));
    c.add(
        new Poison(
            "attribute-value-4097",
            WireFormat.encode(
                eventId,
                event(
                    "e",
                    "u-1",
                    "attributes_set",
                    now,
                    "{\"attributes\":{\"bio\":\"" + "b".repeat(4097) + "\"}}")),
            "attributes_set: attribute 'bio' is 4097 bytes of UTF-8, over the limit of 4096"));
    return c;
  }

  static String oldEventSchema() {
    return "{\"type\":\"record\",\"name\":\"OldEvent\",\"namespace\":\"demo\",\"fields\":["
        + "{\"name\":\"event_id\",\"type\":\"string\"},{\"name\":\"type\",\"type\":\"string\"},"
        + "{\"name\":\"time\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";
  }

  /** An Event-like writer schema whose {@code properties} and {@code time} are of other types. */
  static Schema eventSchema(String name, String propertiesType, String timeType) {
    return new Schema.Parser()
        .parse(
            "{\"type\":\"record\",\"name\":\""
                + name
                + "\",\"namespace\":\"poison\",\"fields\":["
                + "{\"name\":\"event_id\",\"type\":\"string\"},{\"name\":\"user_id\",\"type\":\"string\"},"
                + "{\"name\":\"type\",\"type\":\"string\"},{\"name\":\"time\",\"type\":\""
                + timeType
                + "\"},{\"name\":\"properties\",\"type\":"
                + propertiesType
                + "}]}");
  }

  static GenericRecord generic(Schema schema, long millis) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("event_id", "e");
    r.put("user_id", "u-1");
    r.put("type", "x");
    r.put("time", millis);
    return r;
  }

  static byte[] generic(int id, GenericRecord record) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
    new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
    encoder.flush();
    return frame(id, body.toByteArray());
  }

  /** event_id "e", user_id "u", type "x", time: the fields before the ones a test lies about. */
  static byte[] prefixOfEvent(long millis) {
    byte[] strings = {2, 'e', 2, 'u', 2, 'x'};
    return concat(strings, varints(millis));
  }

  static byte[] json(int eventId, String time, String properties) {
    return WireFormat.encode(eventId, event("e", "u-1", "x", time, properties));
  }

  static byte[] frame(int id, byte[] body) {
    return concat(new byte[] {0}, ByteBuffer.allocate(4).putInt(id).array(), body);
  }

  static byte[] varints(long... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long v : values) {
      long z = (v << 1) ^ (v >> 63);
      while ((z & ~0x7fL) != 0) {
        out.write((int) ((z & 0x7f) | 0x80));
        z >>>= 7;
      }
      out.write((int) z);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Registers a JSON Schema or Protobuf schema through the Confluent-compatible REST API. */
  static int registerOtherType(String type, String schema) throws Exception {
    String subject = PREFIX + "-" + type.toLowerCase() + "-value";
    String body = JSON.writeValueAsString(Map.of("schemaType", type, "schema", schema));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(infra.registry.url() + "/subjects/" + subject + "/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body()).get("id").asInt();
  }

  /** Flink's own count of the job's restarts: the job metric {@code numRestarts}, over REST. */
  static long restarts(MiniCluster cluster, JobID job) throws Exception {
    return JobRestarts.of(cluster.getRestAddress().get(), job);
  }

  static Event event(String id, String user, String type, String time, String props) {
    return KafkaPipelineIT.event(id, user, type, time, props);
  }

  static byte[] ping(int schemaId, String id, String user, String time) {
    return WireFormat.encode(schemaId, event(id, user, "ping", time, null));
  }

  static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
    return new ProducerRecord<>(PREFIX + "-events", 0, key.getBytes(StandardCharsets.UTF_8), value);
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Fresh topics named {@code poison-<topic>} and a job config that uses them. */
  static JobConfig job() {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", infra.kafka.bootstrapServers());
    settings.put("schema.registry.url", infra.registry.url());
    settings.put("starting.offsets", "earliest");
    settings.put("transaction.timeout", "60s");
    settings.put("group.id", PREFIX);
    settings.put("transactional.id.prefix", PREFIX);
    settings.put("disorder.bound", "1s");
    settings.put("idle.timer.lag", "2s");
    Map<String, String> topics =
        Map.of(
            "events", "events",
            "send-commands", "send-commands",
            "send-suppressions", "send-suppressions",
            "conversions", "conversions",
            "journey-events", "journey-events",
            "dead-letters", "events-dlq",
            "late-events", "events-late");
    topics.forEach(
        (key, name) -> {
          infra.kafka.createTopic(PREFIX + "-" + name, 2);
          settings.put("topic." + key, PREFIX + "-" + name);
        });
    infra.kafka.createCompactedTopic(PREFIX + "-rules", 1);
    infra.kafka.createCompactedTopic(PREFIX + "-rules-policies", 1);
    infra.kafka.createTopic(PREFIX + "-rules-rejected", 1);
    settings.put("topic.rules", PREFIX + "-rules");
    settings.put("topic.policies", PREFIX + "-rules-policies");
    settings.put("topic.rules-rejected", PREFIX + "-rules-rejected");
    return JobConfig.of(settings);
  }

  static void publishPingRule(JobConfig config) throws Exception {
    Path dir = Files.createTempDirectory(infra.work, "rules-");
    Files.writeString(
        dir.resolve("ping.yaml"),
        "id: ping\nversion: 1\ntrigger: {kind: event, event: ping}\n"
            + "message: {channel: in_app, body: pong}\n");
    int status =
        io.beckon.tools.rules.PublishCommand.run(
            new String[] {
              dir.toString(),
              "--bootstrap-servers",
              infra.kafka.bootstrapServers(),
              "--schema-registry",
              infra.registry.url(),
              "--topic",
              config.topic("rules"),
              "--policies-topic",
              PREFIX + "-rules-policies"
            });
    assertEquals(0, status, "rules publish");
  }

  static StreamExecutionEnvironment environment() {
    return KafkaPipelineIT.environment(infra.work);
  }

  static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", infra.kafka.bootstrapServers());
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Reads committed commands and dead letters until both counts are reached, then 3 s more. */
  static void readCommitted(
      List<SendCommand> commands,
      List<ConsumerRecord<byte[], byte[]>> deadLetters,
      int deadLetterCount,
      Duration timeout)
      throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", infra.kafka.bootstrapServers());
    p.setProperty("group.id", "poison-reader");
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("auto.offset.reset", "earliest");
    var schemas =
        new io.beckon.jobs.kafka.WriterSchemas(
            RegistryClients.create(infra.registry.url(), Map.of()));
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(PREFIX + "-send-commands", PREFIX + "-events-dlq"));
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      long settleUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().endsWith("send-commands")) {
            commands.add(schemas.decode(r.value(), SendCommand.class));
          } else {
            deadLetters.add(r);
          }
        }
        if (settleUntil == Long.MAX_VALUE
            && commands.size() >= 2
            && deadLetters.size() >= deadLetterCount) {
          settleUntil = System.currentTimeMillis() + 3_000;
        }
      }
      assertTrue(
          commands.size() >= 2 && deadLetters.size() >= deadLetterCount,
          "timed out: " + commands.size() + " commands, " + deadLetters.size() + " dead letters");
    }
  }
}
