package io.beckon.jobs.kafka;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary body with its writer's schema before Avro reads it, and refuses one whose
 * lengths do not fit the bytes it has.
 *
 * <p>Why: Avro's {@code BinaryDecoder} allocates a string, bytes or collection of the size its
 * length prefix announces before it reads the content; the only cap is {@code
 * org.apache.avro.limits.*}, system properties read once per JVM (default ~2^31). A 7-byte record
 * announcing a 2 GiB string would make the task allocate 2 GiB and die. Here every string, bytes
 * and fixed length is checked against the bytes left in the record, every collection block against
 * the bytes left (each item of a non-empty type takes at least one), and items that take no bytes
 * at all against {@link #MAX_EMPTY_ITEMS}; so whatever Avro allocates afterwards is bounded by the
 * record's size. The schema must not be recursive ({@link WriterSchemas} refuses those), so the
 * walk's depth is that of the schema.
 */
final class AvroBounds {
  /**
   * Items of a type that encodes to zero bytes (null, an empty record) one record may hold, over
   * all its collections together: counted per collection, nested arrays of nulls would multiply.
   */
  static final int MAX_EMPTY_ITEMS = 65_536;

  private final byte[] buf;
  private final int end;
  private int pos;
  private long emptyItems;

  private AvroBounds(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  /**
   * Checks that {@code buf[offset, offset + length)} is exactly one datum of {@code schema}; throws
   * {@link WireFormat.MalformedRecordException} naming the first problem.
   */
  static void check(Schema schema, byte[] buf, int offset, int length) {
    AvroBounds walk = new AvroBounds(buf, offset, length);
    walk.datum(schema);
    if (walk.pos < walk.end) {
      throw new WireFormat.MalformedRecordException(
          (walk.end - walk.pos) + " trailing bytes after the Avro record");
    }
  }

  private void datum(Schema schema) {
    switch (schema.getType()) {
      case NULL -> {}
      case BOOLEAN -> skip(1, "boolean");
      case INT -> varint(5, "int");
      case LONG -> varint(10, "long");
      case FLOAT -> skip(4, "float");
      case DOUBLE -> skip(8, "double");
      case STRING, BYTES -> skip(length(schema.getName()), schema.getName());
      case FIXED -> skip(schema.getFixedSize(), "fixed");
      case ENUM -> index(schema.getEnumSymbols().size(), "enum");
      case UNION -> {
        List<Schema> branches = schema.getTypes();
        datum(branches.get(index(branches.size(), "union")));
      }
      case RECORD -> {
        for (Schema.Field field : schema.getFields()) {
          datum(field.schema());
        }
      }
      case ARRAY -> blocks(schema.getElementType(), null, "array");
      case MAP -> blocks(schema.getValueType(), Schema.create(Schema.Type.STRING), "map");
    }
  }

  /** Array or map blocks: a count, a byte size when the count is negative, then the items. */
  private void blocks(Schema item, Schema key, String what) {
    boolean empty = key == null && encodesToNothing(item, 0);
    long total = 0;
    while (true) {
      long count = varint(10, what + " block count");
      if (count == 0) {
        return;
      }
      if (count < 0) {
        if (count == Long.MIN_VALUE) {
          throw malformed("Avro " + what + " block count " + count + " is out of range");
        }
        count = -count;
        long size = varint(10, what + " block size");
        if (size < 0 || size > left()) {
          throw malformed(
              "Avro " + what + " block of " + size + " bytes is more than the " + left() + " left");
        }
      }
      total += count;
      if (empty) {
        emptyItems += count;
        if (emptyItems > MAX_EMPTY_ITEMS) {
          throw malformed(
              "Avro "
                  + what
                  + " of "
                  + total
                  + " items is more than the limit of "
                  + MAX_EMPTY_ITEMS
                  + " items that take no bytes"
                  + (emptyItems > total ? " (counted over the whole record)" : ""));
        }
      } else if (total > left()) {
        throw malformed(
            "Avro "
                + what
                + " of "
                + total
                + " items is more than the "
                + left()
                + " bytes left in the record");
      }
      for (long i = 0; i < count; i++) {
        if (key != null) {
          datum(key);
        }
        datum(item);
      }
    }
  }

  /** Whether every value of {@code schema} is encoded in zero bytes. */
  private static boolean encodesToNothing(Schema schema, int depth) {
    if (depth > 64) {
      return false;
    }
    return switch (schema.getType()) {
      case NULL -> true;
      case FIXED -> schema.getFixedSize() == 0;
      case RECORD ->
          schema.getFields().stream().allMatch(f -> encodesToNothing(f.schema(), depth + 1));
      default -> false;
    };
  }

  private int length(String what) {
    long length = varint(10, what + " length");
    if (length < 0) {
      throw malformed("Avro " + what + " length " + length + " is negative");
    }
    if (length > left()) {
      throw malformed(
          "Avro "
              + what
              + " length "
              + length
              + " is more than the "
              + left()
              + " bytes left in the record");
    }
    return (int) length;
  }

  private int index(int size, String what) {
    long index = varint(5, what + " index");
    if (index < 0 || index >= size) {
      throw malformed("Avro " + what + " index " + index + " is outside 0.." + (size - 1));
    }
    return (int) index;
  }

  private void skip(int n, String what) {
    if (n > left()) {
      throw truncated(what);
    }
    pos += n;
  }

  /** A zig-zag varint of at most {@code maxBytes} bytes. */
  private long varint(int maxBytes, String what) {
    long raw = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (pos >= end) {
        throw truncated(what);
      }
      int b = buf[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw malformed("Avro " + what + " is not a valid varint (more than " + maxBytes + " bytes)");
  }

  private int left() {
    return end - pos;
  }

  private static WireFormat.MalformedRecordException truncated(String what) {
    return malformed("truncated Avro record: it ends inside a " + what);
  }

  private static WireFormat.MalformedRecordException malformed(String reason) {
    return new WireFormat.MalformedRecordException(reason);
  }
}
