package io.beckon.tools.bench;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.schema.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Registry-framed Avro for the passthrough and CEP jobs, written the way a Flink developer who
 * cares about speed would: one reader per writer schema id, resolved once; decoders, encoders and
 * buffers reused; no validation beyond what Avro itself does.
 */
final class LeanAvro {
  private LeanAvro() {}

  /** Decodes {@code events} records into {@link Event}s. */
  static final class EventDecoder implements KafkaRecordDeserializationSchema<Event> {
    private static final long serialVersionUID = 1L;
    private final String registryUrl;
    private transient SchemaRegistryClient registry;
    private transient Map<Integer, SpecificDatumReader<Event>> readers;
    private transient BinaryDecoder decoder;

    EventDecoder(String registryUrl) {
      this.registryUrl = registryUrl;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
      registry = RegistryClients.create(registryUrl, Map.of());
      readers = new HashMap<>();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Event> out)
        throws IOException {
      byte[] value = record.value();
      int id = ByteBuffer.wrap(value, 1, 4).getInt();
      SpecificDatumReader<Event> reader = readers.get(id);
      if (reader == null) {
        reader = reader(id);
        readers.put(id, reader);
      }
      decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, decoder);
      out.collect(reader.read(null, decoder));
    }

    private SpecificDatumReader<Event> reader(int id) throws IOException {
      try {
        String text = registry.getSchemaById(id).canonicalString();
        return new SpecificDatumReader<>(new Schema.Parser().parse(text), Event.getClassSchema());
      } catch (Exception e) {
        throw new IOException("schema id " + id + ": " + e.getMessage(), e);
      }
    }

    @Override
    public TypeInformation<Event> getProducedType() {
      return new AvroTypeInfo<>(Event.class);
    }
  }

  /** Encodes {@link Event}s to a topic, keyed by user id, under a registered schema. */
  static final class EventEncoder implements KafkaRecordSerializationSchema<Event> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final String registryUrl;
    private transient SpecificDatumWriter<Event> writer;
    private transient ByteArrayOutputStream buffer;
    private transient BinaryEncoder encoder;
    private transient byte[] header;

    EventEncoder(String topic, String registryUrl) {
      this.topic = topic;
      this.registryUrl = registryUrl;
    }

    @Override
    public void open(
        SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
        throws Exception {
      int id =
          RegistryClients.register(
              RegistryClients.create(registryUrl, Map.of()),
              topic + "-value",
              new AvroSchema(Event.getClassSchema().toString()));
      header = ByteBuffer.allocate(5).put((byte) 0).putInt(id).array();
      writer = new SpecificDatumWriter<>(Event.class);
      buffer = new ByteArrayOutputStream(256);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        Event event, KafkaSinkContext context, Long timestamp) {
      buffer.reset();
      buffer.write(header, 0, header.length);
      encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
      try {
        writer.write(event, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return new ProducerRecord<>(
          topic,
          null,
          null,
          event.getUserId().getBytes(StandardCharsets.UTF_8),
          buffer.toByteArray());
    }
  }
}
