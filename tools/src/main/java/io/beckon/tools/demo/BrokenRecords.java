package io.beckon.tools.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;

/** Records a broken app might send, for the demo and tests of the dead-letter path. */
public final class BrokenRecords {
  private static final String NO_USER_ID_SCHEMA =
      "{\"type\":\"record\",\"name\":\"OldEvent\",\"namespace\":\"demo\",\"fields\":["
          + "{\"name\":\"event_id\",\"type\":\"string\"},{\"name\":\"type\",\"type\":\"string\"},"
          + "{\"name\":\"time\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";

  private BrokenRecords() {}

  /** JSON text where Avro in the wire format is expected. */
  public static byte[] notInWireFormat() {
    return "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
  }

  /** Framed correctly, but with a schema id no registry has handed out. */
  public static byte[] unknownSchemaId() {
    return new byte[] {0, 0, 0, 0x7f, (byte) 0xff, 2, 4};
  }

  /**
   * A valid record from an app on an old schema that has no {@code user_id}, registered under
   * {@code subject} so the job can decode it.
   */
  public static byte[] withoutUserId(SchemaRegistryClient registry, String subject, long timeMillis)
      throws Exception {
    int id = registry.register(subject, new AvroSchema(NO_USER_ID_SCHEMA));
    Schema schema = new Schema.Parser().parse(NO_USER_ID_SCHEMA);
    GenericRecord record = new GenericData.Record(schema);
    record.put("event_id", "old-1");
    record.put("type", "app_opened");
    record.put("time", timeMillis);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(0);
    bytes.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }
}
