package io.beckon.tools.bench;

import io.beckon.engine.time.Durations;
import io.beckon.jobs.EngagementJob;
import io.beckon.jobs.JobConfig;
import io.beckon.jobs.kafka.AvroRecordSerializer;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The jobs the bench compares, each reading the whole events topic (bounded at its end) and writing
 * exactly-once to Kafka: the passthrough limit, the CEP peer and Beckon itself.
 */
final class BenchJobs {
  /** Below the embedded broker's transaction.max.timeout.ms (1 h), like the job's default. */
  private static final String TRANSACTION_TIMEOUT_MS =
      Long.toString(Duration.ofMinutes(15).toMillis());

  /** Where a job reads and writes. */
  record Wiring(String bootstrapServers, String registryUrl, String eventsTopic) {}

  private BenchJobs() {}

  /**
   * The limit: Kafka, Avro decode, keyBy user, Avro encode, Kafka, exactly-once. Nothing else: no
   * watermarks, no validation, objects reused between operators.
   */
  static void passthrough(StreamExecutionEnvironment env, Wiring w, String outTopic) {
    env.getConfig().enableObjectReuse();
    env.fromSource(source(w, "bench-passthrough"), WatermarkStrategy.noWatermarks(), "Kafka events")
        .uid("kafka-events")
        .keyBy(Event::getUserId)
        .sinkTo(sink(w, "bench-passthrough", new LeanAvro.EventEncoder(outTopic, w.registryUrl())))
        .uid("sink-events")
        .name("Kafka " + outTopic);
  }

  /**
   * The peer: {@link CepCartAbandonment} over the events with bounded-disorder watermarks (the same
   * disorder bound as Beckon's), its commands written like Beckon's.
   */
  static void cep(
      StreamExecutionEnvironment env, Wiring w, String commandsTopic, Duration disorderBound) {
    DataStream<Event> events =
        env.fromSource(
                source(w, "bench-cep"),
                WatermarkStrategy.<Event>forBoundedOutOfOrderness(disorderBound)
                    .withTimestampAssigner((e, previous) -> e.getTime().toEpochMilli()),
                "Kafka events")
            .uid("kafka-events");
    CepCartAbandonment.build(events)
        .sinkTo(
            sink(
                w,
                "bench-cep",
                new AvroRecordSerializer<>(
                    commandsTopic,
                    w.registryUrl(),
                    Map.of(),
                    SendCommand.getClassSchema(),
                    SendCommand::getUserId)))
        .uid("sink-send-commands")
        .name("Kafka " + commandsTopic);
  }

  /**
   * The engagement job exactly as a deployment builds it ({@link EngagementJob#attach}), with its
   * own output topics named {@code <prefix>-send-commands} etc.
   */
  static JobConfig beckonConfig(
      Wiring w,
      String prefix,
      String rulesTopic,
      boolean bounded,
      String deliveryGuarantee,
      Duration disorderBound,
      Duration idleTimerLag) {
    return JobConfig.of(
        Map.ofEntries(
            Map.entry("bootstrap.servers", w.bootstrapServers()),
            Map.entry("schema.registry.url", w.registryUrl()),
            Map.entry("topic.events", w.eventsTopic()),
            Map.entry("topic.rules", rulesTopic),
            // The bench publishes each rules folder to rules-NAME and its policies to
            // policies-NAME.
            Map.entry("topic.policies", rulesTopic.replaceFirst("^rules-", "policies-")),
            Map.entry("topic.conversions", prefix + "-conversions"),
            Map.entry("topic.journey-events", prefix + "-journey-events"),
            Map.entry("topic.rules-rejected", prefix + "-rules-rejected"),
            Map.entry("topic.send-commands", prefix + "-send-commands"),
            Map.entry("topic.send-suppressions", prefix + "-send-suppressions"),
            Map.entry("topic.dead-letters", prefix + "-events-dlq"),
            Map.entry("topic.late-events", prefix + "-events-late"),
            Map.entry("group.id", prefix),
            Map.entry("transactional.id.prefix", prefix),
            Map.entry("starting.offsets", "earliest"),
            Map.entry("bounded", Boolean.toString(bounded)),
            Map.entry("delivery.guarantee", deliveryGuarantee),
            Map.entry("disorder.bound", Durations.format(disorderBound.toMillis())),
            Map.entry("idle.timer.lag", Durations.format(idleTimerLag.toMillis()))));
  }

  /** The output topics a Beckon job with this prefix writes. */
  static String[] beckonOutputTopics(String prefix) {
    return new String[] {
      prefix + "-send-commands",
      prefix + "-send-suppressions",
      prefix + "-conversions",
      prefix + "-journey-events",
      prefix + "-events-dlq",
      prefix + "-events-late",
      prefix + "-rules-rejected"
    };
  }

  static void beckon(StreamExecutionEnvironment env, JobConfig config) {
    EngagementJob.attach(env, config);
  }

  private static KafkaSource<Event> source(Wiring w, String group) {
    return KafkaSource.<Event>builder()
        .setBootstrapServers(w.bootstrapServers())
        .setTopics(w.eventsTopic())
        .setGroupId(group)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setDeserializer(new LeanAvro.EventDecoder(w.registryUrl()))
        .build();
  }

  private static <T> KafkaSink<T> sink(
      Wiring w, String transactionalIdPrefix, KafkaRecordSerializationSchema<T> serializer) {
    Properties producer = new Properties();
    producer.setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
    // What a tuned producer looks like: big batches, a little linger, cheap compression.
    producer.setProperty("batch.size", Integer.toString(512 * 1024));
    producer.setProperty("linger.ms", "20");
    producer.setProperty("compression.type", "lz4");
    return KafkaSink.<T>builder()
        .setBootstrapServers(w.bootstrapServers())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .build();
  }
}
