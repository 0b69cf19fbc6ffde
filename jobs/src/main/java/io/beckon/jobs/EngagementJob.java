package io.beckon.jobs;

import io.beckon.engine.rules.RuleSet;
import io.beckon.jobs.kafka.AvroRecordSerializer;
import io.beckon.jobs.kafka.DeadLetterSerializer;
import io.beckon.jobs.kafka.EventDecoder;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.internal.Ingested;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The engagement job on Kafka: {@code events} in; {@code send-commands}, {@code send-suppressions},
 * {@code events-late} and {@code events-dlq} out, exactly-once. State backend, checkpointing and
 * restart strategy come from the cluster's {@code config.yaml}.
 *
 * <p>Usage: {@code flink run beckon-jobs-job.jar --bootstrap.servers ... --schema.registry.url ...
 * --rules.dir rules}; see {@link JobConfig#DEFAULTS} for every setting.
 */
public final class EngagementJob {
  private EngagementJob() {}

  public static void main(String[] args) throws Exception {
    JobConfig config = JobConfig.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    attach(env, config, RuleSet.readFolder(Path.of(config.get("rules.dir"))));
    env.execute("beckon-engagement");
  }

  /**
   * Adds the Kafka-to-Kafka engagement pipeline to {@code env}. Rules are validated here, on the
   * client, so an invalid rules folder fails the submission with file, line and cause.
   */
  public static void attach(
      StreamExecutionEnvironment env, JobConfig config, Map<String, String> ruleFiles) {
    RuleSet.parse(ruleFiles);
    DataStream<Ingested> ingested =
        env.fromSource(
                eventSource(config), EngagementPipeline.liveWatermarks(config), "Kafka events")
            .uid("kafka-events")
            .name("Kafka events");
    EngagementPipeline.Decoded decoded = EngagementPipeline.split(ingested);
    EngagementPipeline.Outputs outputs = EngagementPipeline.build(decoded.events(), ruleFiles);

    outputs
        .sendCommands()
        .sinkTo(
            sink(
                config,
                "sends",
                avro(
                    config, "send-commands", SendCommand.getClassSchema(), SendCommand::getUserId)))
        .uid("sink-send-commands")
        .name("Kafka send-commands");
    outputs
        .suppressions()
        .sinkTo(
            sink(
                config,
                "suppressions",
                avro(
                    config,
                    "send-suppressions",
                    Suppression.getClassSchema(),
                    Suppression::getUserId)))
        .uid("sink-send-suppressions")
        .name("Kafka send-suppressions");
    outputs
        .lateEvents()
        .sinkTo(
            sink(
                config,
                "late",
                avro(config, "late-events", Event.getClassSchema(), Event::getUserId)))
        .uid("sink-events-late")
        .name("Kafka events-late");
    decoded
        .deadLetters()
        .sinkTo(sink(config, "dlq", new DeadLetterSerializer(config.topic("dead-letters"))))
        .uid("sink-events-dlq")
        .name("Kafka events-dlq");
  }

  static KafkaSource<Ingested> eventSource(JobConfig config) {
    return KafkaSource.<Ingested>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setTopics(config.topic("events"))
        .setGroupId(config.get("group.id"))
        .setStartingOffsets(startingOffsets(config.get("starting.offsets")))
        .setDeserializer(new EventDecoder(config.registryUrl(), config.registryProperties()))
        .setProperties(config.kafkaProperties())
        // Offsets for the exactly-once chain live in checkpoints; committing them is for lag
        // monitoring.
        .setProperty("commit.offsets.on.checkpoint", "true")
        .build();
  }

  private static OffsetsInitializer startingOffsets(String setting) {
    return switch (setting) {
      case "earliest" -> OffsetsInitializer.earliest();
      case "latest" -> OffsetsInitializer.latest();
      case "committed-or-earliest" ->
          OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      default ->
          throw new IllegalArgumentException(
              "starting.offsets must be earliest, latest or committed-or-earliest, not '"
                  + setting
                  + "'");
    };
  }

  private static <T extends SpecificRecord> AvroRecordSerializer<T> avro(
      JobConfig config,
      String topicName,
      org.apache.avro.Schema schema,
      AvroRecordSerializer.KeyOf<T> key) {
    return new AvroRecordSerializer<>(
        config.topic(topicName), config.registryUrl(), config.registryProperties(), schema, key);
  }

  /** An exactly-once Kafka sink: visible to read_committed consumers after each checkpoint. */
  private static <T> KafkaSink<T> sink(
      JobConfig config, String name, KafkaRecordSerializationSchema<T> serializer) {
    Properties producer = config.kafkaProperties();
    producer.setProperty(
        "transaction.timeout.ms",
        Long.toString(
            io.beckon.engine.time.Durations.parseMillis(config.get("transaction.timeout"))));
    return KafkaSink.<T>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(config.get("transactional.id.prefix") + "-" + name)
        .build();
  }
}
