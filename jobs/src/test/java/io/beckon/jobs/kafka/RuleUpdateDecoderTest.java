package io.beckon.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.rules.RuleLimits;
import io.beckon.schema.RuleRecord;
import io.beckon.schema.internal.RuleUpdate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.testutil.MockSchemaRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No byte sequence on the rules topic makes the decoder throw: a bad record carries an error. */
class RuleUpdateDecoderTest {
  static final String SCOPE = "rule-update-decoder-test";
  SchemaRegistryClient registry;
  WriterSchemas schemas;
  int ruleSchema;

  @BeforeEach
  void registry() throws Exception {
    registry = RegistryClients.create("mock://" + SCOPE, Map.of());
    schemas = new WriterSchemas(registry);
    ruleSchema =
        registry.register("rules-value", new AvroSchema(RuleRecord.getClassSchema().toString()));
  }

  @AfterEach
  void drop() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private RuleUpdate decode(String key, byte[] value) throws Exception {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    return RuleUpdateDecoder.decode(new ConsumerRecord<>("rules", 0, 7L, k, value), schemas);
  }

  private byte[] framed(int schemaId, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
  }

  @Test
  void aGoodRecordAndATombstone() throws Exception {
    RuleRecord record = new RuleRecord("cart", 1, true, "cart.yaml", "id: cart\n", Instant.EPOCH);
    RuleUpdate update = decode("cart", WireFormat.encode(ruleSchema, record));
    assertNull(update.getError());
    assertEquals(record, update.getRecord());
    RuleUpdate tombstone = decode("cart", null);
    assertNull(tombstone.getError());
    assertNull(tombstone.getRecord());
  }

  private RuleUpdate decodePolicies(String key, byte[] value) throws Exception {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    return RuleUpdateDecoder.decodePolicies(
        new ConsumerRecord<>("policies", 0, 3L, k, value), schemas);
  }

  @Test
  void policiesRecordsUnderTheirOneKey() throws Exception {
    int policiesSchema =
        registry.register(
            "policies-value",
            new AvroSchema(io.beckon.schema.PoliciesRecord.getClassSchema().toString()));
    var record = new io.beckon.schema.PoliciesRecord("quiet_hours: {}\n", Instant.EPOCH);
    RuleUpdate update = decodePolicies("policies", WireFormat.encode(policiesSchema, record));
    assertTrue(update.getPolicies());
    assertNull(update.getError());
    assertEquals(record, update.getPoliciesRecord());
    RuleUpdate tombstone = decodePolicies("policies", null);
    assertNull(tombstone.getError());
    assertNull(tombstone.getPoliciesRecord());
    assertEquals(
        "the policies topic holds one record, under the key 'policies'",
        decodePolicies("cart", WireFormat.encode(policiesSchema, record)).getError());
    assertEquals(
        "the policies topic holds one record, under the key 'policies'",
        decodePolicies(null, null).getError());
    assertEquals(
        "not in the Confluent wire format: magic byte is 123",
        decodePolicies("policies", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8)).getError());
  }

  @Test
  void everyBadRecordCarriesItsReason() throws Exception {
    assertEquals(
        "a rule record needs the rule id as its key", decode(null, new byte[] {1}).getError());
    assertEquals(
        "not in the Confluent wire format: 3 bytes", decode("r", new byte[] {0, 0, 0}).getError());
    assertEquals(
        "not in the Confluent wire format: magic byte is 123",
        decode("r", "{\"id\": \"r\"}".getBytes(StandardCharsets.UTF_8)).getError());
    assertEquals(
        "unknown schema id 4711 (not in the registry)",
        decode("r", framed(4711, new byte[] {2, 'x'})).getError());
    byte[] huge = new byte[RuleLimits.RECORD_BYTES + 1];
    assertEquals(
        "the record is 1048577 bytes; a rule record may be at most 1048576 bytes (1 MiB)",
        decode("r", huge).getError());
    // A string length far beyond the record, then a writer schema that is not a record.
    String overlong =
        decode("r", framed(ruleSchema, new byte[] {(byte) 0xfe, (byte) 0xff, 0x7f})).getError();
    // fe ff 7f is the varint 2,097,150, zig-zag decoded 1,048,575; nothing follows it.
    assertEquals(
        "Avro string length 1048575 is more than the 0 bytes left in the record", overlong);
    int stringSchema = registry.register("other-value", new AvroSchema("\"string\""));
    String notARecord = decode("r", framed(stringSchema, new byte[] {2, 'x'})).getError();
    assertEquals("schema id " + stringSchema + " is an Avro string, not a record", notARecord);
  }

  @Test
  void randomBytesNeverThrow() throws Exception {
    Random random = new Random(42);
    byte[] good =
        WireFormat.encode(
            ruleSchema, new RuleRecord("cart", 1, true, "cart.yaml", "id: cart\n", Instant.EPOCH));
    for (int i = 0; i < 5_000; i++) {
      byte[] value;
      if (i % 2 == 0) {
        value = new byte[random.nextInt(64)];
        random.nextBytes(value);
      } else {
        // Valid framing and schema id, body mutated: the hard case for the Avro reader.
        value = Arrays.copyOf(good, 5 + random.nextInt(good.length));
        for (int j = 0; j < 3; j++) {
          int at = 5 + random.nextInt(Math.max(1, value.length - 5));
          if (at < value.length) {
            value[at] = (byte) random.nextInt(256);
          }
        }
      }
      RuleUpdate update = decode("cart", value);
      assertTrue(
          update.getError() != null || update.getRecord() != null,
          "a non-null value never reads as a tombstone");
      if (update.getError() == null) {
        assertNotNull(update.getRecord().getYaml());
      }
    }
  }
}
