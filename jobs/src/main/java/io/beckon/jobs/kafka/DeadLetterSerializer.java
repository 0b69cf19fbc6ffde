package io.beckon.jobs.kafka;

import static io.beckon.jobs.kafka.WireFormat.WRITE_TIME;

import io.beckon.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter as the original key and value bytes, untouched, with the reason and the
 * source position in headers ({@code beckon.dlq.reason}, {@code .topic}, {@code .partition}, {@code
 * .offset}): a fixed record can be re-produced to {@code events} as it is.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;
  public static final String REASON_HEADER = "beckon.dlq.reason";

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON_HEADER, utf8(letter.getReason()));
    headers.add("beckon.dlq.topic", utf8(letter.getTopic()));
    headers.add("beckon.dlq.partition", utf8(Integer.toString(letter.getPartition())));
    headers.add("beckon.dlq.offset", utf8(Long.toString(letter.getOffset())));
    return new ProducerRecord<>(
        topic, null, WRITE_TIME, bytes(letter.getKey()), bytes(letter.getValue()), headers);
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
