package io.beckon.jobs.kafka;

import static io.beckon.jobs.kafka.WireFormat.WRITE_TIME;

import io.beckon.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter as the original key and value bytes, untouched, with the reason and the
 * source position in headers ({@code beckon.dlq.reason}, {@code .topic}, {@code .partition}, {@code
 * .offset}): a fixed record can be re-produced to {@code events} as it is.
 *
 * <p>A dead letter must always be writable, or the sink fails the job on the very record it was
 * meant to set aside: the reason is capped at {@link #MAX_REASON_BYTES}, and when key, value and
 * headers would exceed {@code maxBytes} (below the producer's {@code max.request.size} and the
 * broker's {@code message.max.bytes}) the value, then the key, keep only what fits, and header
 * {@code beckon.dlq.truncated} (or {@code beckon.dlq.key-truncated}) holds the original length.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;
  public static final String REASON_HEADER = "beckon.dlq.reason";
  public static final String TRUNCATED_HEADER = "beckon.dlq.truncated";
  public static final String KEY_TRUNCATED_HEADER = "beckon.dlq.key-truncated";
  public static final int MAX_REASON_BYTES = 1024;
  public static final int DEFAULT_MAX_BYTES = 1_000_000;

  /** Room for the record's own framing and the truncation headers, over the counted bytes. */
  static final int RECORD_OVERHEAD = 256;

  private static final String ELLIPSIS = "...";

  private final String topic;
  private final int maxBytes;

  public DeadLetterSerializer(String topic) {
    this(topic, DEFAULT_MAX_BYTES);
  }

  public DeadLetterSerializer(String topic, int maxBytes) {
    if (maxBytes < 4 * MAX_REASON_BYTES) {
      throw new IllegalArgumentException("dead.letter.max.bytes must be at least 4096");
    }
    this.topic = topic;
    this.maxBytes = maxBytes;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON_HEADER, utf8(capReason(letter.getReason())));
    headers.add("beckon.dlq.topic", utf8(capReason(letter.getTopic())));
    headers.add("beckon.dlq.partition", utf8(Integer.toString(letter.getPartition())));
    headers.add("beckon.dlq.offset", utf8(Long.toString(letter.getOffset())));
    byte[] key = bytes(letter.getKey());
    byte[] value = bytes(letter.getValue());
    int room = maxBytes - RECORD_OVERHEAD - size(headers);
    int keyLength = key == null ? 0 : key.length;
    if (keyLength > room) {
      headers.add(KEY_TRUNCATED_HEADER, utf8(Integer.toString(keyLength)));
      key = Arrays.copyOf(key, room);
      keyLength = room;
    }
    if (value != null && value.length > room - keyLength) {
      headers.add(TRUNCATED_HEADER, utf8(Integer.toString(value.length)));
      value = Arrays.copyOf(value, room - keyLength);
    }
    return new ProducerRecord<>(topic, null, WRITE_TIME, key, value, headers);
  }

  /**
   * {@code reason} in at most {@link #MAX_REASON_BYTES} bytes of UTF-8, cut between characters and
   * marked with "..." when cut.
   */
  public static String capReason(String reason) {
    if (reason == null) {
      return "";
    }
    // Each UTF-16 char takes at most 3 bytes (a surrogate pair 4 for 2 chars).
    if (reason.length() * 3 <= MAX_REASON_BYTES || utf8(reason).length <= MAX_REASON_BYTES) {
      return reason;
    }
    int budget = MAX_REASON_BYTES - ELLIPSIS.length();
    int bytes = 0;
    int i = 0;
    while (i < reason.length()) {
      int cp = reason.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > budget) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return reason.substring(0, i) + ELLIPSIS;
  }

  private static int size(RecordHeaders headers) {
    int total = 0;
    for (Header h : headers) {
      total += utf8(h.key()).length + h.value().length + 10;
    }
    return total;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
