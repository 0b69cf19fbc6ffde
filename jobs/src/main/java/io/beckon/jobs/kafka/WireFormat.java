package io.beckon.jobs.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, Avro binary. */
public final class WireFormat {
  public static final byte MAGIC = 0;
  public static final int HEADER_SIZE = 5;

  /**
   * The Kafka timestamp of every record Beckon writes: none given, so the producer stamps the
   * wall-clock time of the write (contract §4). An event time there would be refused by brokers
   * when it lies in the future, and would let time-based retention delete fresh output.
   */
  public static final Long WRITE_TIME = null;

  private WireFormat() {}

  /** Frames a record under a registered schema id. */
  public static byte[] encode(int schemaId, SpecificRecord record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    bytes.write(MAGIC);
    bytes.write(ByteBuffer.allocate(4).putInt(schemaId).array(), 0, 4);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
    try {
      new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + record.getSchema().getFullName(), e);
    }
    return bytes.toByteArray();
  }

  /** The schema id of a framed value; throws {@link MalformedRecordException} if not framed. */
  public static int schemaId(byte[] value) {
    if (value == null) {
      throw new MalformedRecordException("tombstone (null value)");
    }
    if (value.length < HEADER_SIZE) {
      throw new MalformedRecordException(
          "not in the Confluent wire format: " + value.length + " bytes");
    }
    if (value[0] != MAGIC) {
      throw new MalformedRecordException(
          "not in the Confluent wire format: magic byte is " + value[0]);
    }
    return ByteBuffer.wrap(value, 1, 4).getInt();
  }

  /**
   * Decodes the Avro body with the writer's schema, after {@link AvroBounds} checked that every
   * length in it fits the record (so Avro never allocates more than the record's size).
   */
  public static GenericRecord decode(byte[] value, Schema writerSchema) {
    AvroBounds.check(writerSchema, value, HEADER_SIZE, value.length - HEADER_SIZE);
    try {
      var decoder =
          DecoderFactory.get().binaryDecoder(value, HEADER_SIZE, value.length - HEADER_SIZE, null);
      GenericRecord record =
          new GenericDatumReader<GenericRecord>(writerSchema).read(null, decoder);
      return record;
    } catch (IOException | RuntimeException e) {
      if (e instanceof MalformedRecordException m) {
        throw m;
      }
      throw new MalformedRecordException(
          "Avro body does not match schema " + writerSchema.getFullName() + ": " + e);
    }
  }

  /** Decodes a framed value into a generated class, resolving the writer's schema to its own. */
  public static <T extends SpecificRecord> T decode(
      byte[] value, Schema writerSchema, Class<T> type) {
    Schema readerSchema = org.apache.avro.specific.SpecificData.get().getSchema(type);
    AvroBounds.check(writerSchema, value, HEADER_SIZE, value.length - HEADER_SIZE);
    try {
      var decoder =
          DecoderFactory.get().binaryDecoder(value, HEADER_SIZE, value.length - HEADER_SIZE, null);
      return new org.apache.avro.specific.SpecificDatumReader<T>(writerSchema, readerSchema)
          .read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new MalformedRecordException("cannot decode " + type.getSimpleName() + ": " + e);
    }
  }

  /** A record that cannot be decoded; its message is the dead-letter reason. */
  public static final class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
      super(message);
    }
  }
}
