package io.beckon.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** A dead letter is always writable: capped reason, and value and key cut to the size limit. */
class DeadLetterSerializerTest {
  static DeadLetter letter(String reason, byte[] key, byte[] value) {
    return DeadLetter.newBuilder()
        .setTopic("events")
        .setPartition(1)
        .setOffset(42)
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setReason(reason)
        .build();
  }

  static String header(ProducerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static int size(ProducerRecord<byte[], byte[]> r) {
    int total = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
    for (Header h : r.headers()) {
      total += h.key().length() + h.value().length;
    }
    return total;
  }

  @Test
  void reasonsAreCappedAtOneKibibyteBetweenCharacters() {
    assertEquals("short", DeadLetterSerializer.capReason("short"));
    String exact = "x".repeat(1024);
    assertEquals(exact, DeadLetterSerializer.capReason(exact));
    String capped = DeadLetterSerializer.capReason("x".repeat(1023) + "\u00e9");
    assertEquals("x".repeat(1021) + "...", capped);
    // 4-byte characters are never split.
    String emoji = DeadLetterSerializer.capReason("\uD83D\uDE00".repeat(1000));
    assertEquals("\uD83D\uDE00".repeat(255) + "...", emoji);
    assertTrue(emoji.getBytes(StandardCharsets.UTF_8).length <= 1024);
  }

  @Test
  void aSmallDeadLetterKeepsItsBytesUntouched() {
    var r =
        new DeadLetterSerializer("dlq")
            .serialize(letter("bad", "k".getBytes(), new byte[] {1, 2}), null, 5L);
    assertArrayEquals(new byte[] {1, 2}, r.value());
    assertEquals("bad", header(r, "beckon.dlq.reason"));
    assertEquals("42", header(r, "beckon.dlq.offset"));
    assertNull(header(r, DeadLetterSerializer.TRUNCATED_HEADER));
  }

  @Test
  void anOversizedValueIsCutAndSaysSo() {
    byte[] value = new byte[1_048_000];
    value[0] = 7;
    var r =
        new DeadLetterSerializer("dlq")
            .serialize(letter("r".repeat(5000), "k".getBytes(), value), null, 5L);
    assertEquals("1048000", header(r, DeadLetterSerializer.TRUNCATED_HEADER));
    assertEquals(1024, header(r, "beckon.dlq.reason").length());
    assertEquals(7, r.value()[0]);
    assertTrue(size(r) <= 1_000_000 - 100, "size " + size(r));
    assertTrue(r.value().length > 990_000);
  }

  @Test
  void anOversizedKeyIsCutToo() {
    var r =
        new DeadLetterSerializer("dlq", 8192)
            .serialize(letter("bad", new byte[10_000], new byte[10]), null, 5L);
    assertEquals("10000", header(r, DeadLetterSerializer.KEY_TRUNCATED_HEADER));
    assertEquals("10", header(r, DeadLetterSerializer.TRUNCATED_HEADER));
    assertEquals(0, r.value().length);
    assertTrue(size(r) <= 8192, "size " + size(r));
  }
}
