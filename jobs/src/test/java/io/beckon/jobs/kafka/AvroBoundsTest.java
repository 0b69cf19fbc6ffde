package io.beckon.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Crafted Avro bodies whose length prefixes lie: each is refused with a reason, and refusing it
 * allocates next to nothing (Avro alone would allocate what the prefix announces, up to 2 GiB).
 */
class AvroBoundsTest {
  static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"R","fields":[
                {"name":"s","type":"string"},
                {"name":"longs","type":{"type":"array","items":"long"}},
                {"name":"nulls","type":{"type":"array","items":"null"}},
                {"name":"m","type":{"type":"map","values":"double"}},
                {"name":"u","type":["null","string"]}]}
              """);

  /** Wire-format framing around a body of zig-zag varints and raw bytes. */
  static byte[] framed(long... varints) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(new byte[] {0, 0, 0, 1});
    for (long v : varints) {
      long z = (v << 1) ^ (v >> 63);
      while ((z & ~0x7fL) != 0) {
        out.write((int) ((z & 0x7f) | 0x80));
        z >>>= 7;
      }
      out.write((int) z);
    }
    return out.toByteArray();
  }

  static String reason(byte[] value) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    WireFormat.MalformedRecordException e =
        assertThrows(
            WireFormat.MalformedRecordException.class, () -> WireFormat.decode(value, SCHEMA));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes");
    return e.getMessage();
  }

  @Test
  void aWellFormedRecordDecodes() {
    // s="a", longs=[7], nulls=[null x2], m={}, u=null
    byte[] ok = framed(1, 'a' / 2, 1, 7, 0, 2, 0, 0, 0);
    ok[6] = 'a';
    GenericRecord r = WireFormat.decode(ok, SCHEMA);
    assertEquals("a", r.get("s").toString());
    assertEquals(2, ((java.util.List<?>) r.get("nulls")).size());
  }

  @Test
  void lengthPrefixesNearTwoToThe31AreRefusedWithoutAllocating() {
    assertEquals(
        "Avro string length 2147483639 is more than the 0 bytes left in the record",
        reason(framed(2147483639L)));
    assertEquals(
        "Avro string length 4611686018427387903 is more than the 0 bytes left in the record",
        reason(framed(Long.MAX_VALUE / 2)));
    assertEquals("Avro string length -5 is negative", reason(framed(-5)));
    assertEquals(
        "Avro array of 2147483647 items is more than the 0 bytes left in the record",
        reason(framed(0, Integer.MAX_VALUE)));
    assertEquals(
        "Avro array of 2147483647 items is more than the limit of 65536 items that take no bytes",
        reason(framed(0, 0, Integer.MAX_VALUE)));
    // Blocks add up: 65536 then one more null.
    assertEquals(
        "Avro array of 65537 items is more than the limit of 65536 items that take no bytes",
        reason(framed(0, 0, 65536, 1)));
    assertEquals(
        "Avro map of 2147483640 items is more than the 2 bytes left in the record",
        reason(framed(0, 0, 0, -2147483640L, 2, 9, 9)));
    assertEquals(
        "Avro map block of 1000000 bytes is more than the 0 left",
        reason(framed(0, 0, 0, -1, 1_000_000)));
  }

  @Test
  void itemsThatTakeNoBytesAreCountedOverTheWholeRecord() {
    Schema nested =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"N","fields":[
                  {"name":"a","type":{"type":"array","items":{"type":"array","items":"null"}}}]}
                """);
    // Three inner arrays of 30,000 nulls each: every one is under the limit, together they are not.
    byte[] value = framed(3, 30_000, 0, 30_000, 0, 30_000, 0, 0);
    WireFormat.MalformedRecordException e =
        assertThrows(
            WireFormat.MalformedRecordException.class, () -> WireFormat.decode(value, nested));
    assertEquals(
        "Avro array of 30000 items is more than the limit of 65536 items that take no bytes"
            + " (counted over the whole record)",
        e.getMessage());
  }

  @Test
  void truncatedTrailingAndOutOfRangeBodiesAreRefused() {
    assertEquals("truncated Avro record: it ends inside a string length", reason(framed()));
    assertEquals("truncated Avro record: it ends inside a double", reason(framed(0, 0, 0, 1, 0)));
    assertEquals("3 trailing bytes after the Avro record", reason(framed(0, 0, 0, 0, 0, 1, 2, 3)));
    assertEquals("Avro union index 2 is outside 0..1", reason(framed(0, 0, 0, 0, 2)));
    byte[] endless = framed(0, 0, 0, 0);
    byte[] bad = java.util.Arrays.copyOf(endless, endless.length + 11);
    java.util.Arrays.fill(bad, endless.length, bad.length, (byte) 0xff);
    assertEquals("Avro union index is not a valid varint (more than 5 bytes)", reason(bad));
  }
}
