package io.beckon.tools.report;

import io.beckon.engine.core.JsonViews;
import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WriterSchemas;
import io.beckon.schema.Conversion;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.tools.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The job's output topics as the JSON lines {@code beckon replay} writes: each read {@code
 * read_committed} from its beginning to its current end and decoded with the writer schema from the
 * registry.
 */
final class ReportTopics {
  /** The lines of the three outputs. */
  record Lines(List<String> commands, List<String> suppressions, List<String> conversions) {}

  private ReportTopics() {}

  /**
   * Reads {@code prefix + "send-commands"}, {@code prefix + "send-suppressions"} and {@code prefix
   * + "conversions"}; a topic that does not exist reads as empty, with a note on stderr.
   */
  static Lines read(String bootstrapServers, String registryUrl, String prefix) {
    WriterSchemas schemas = new WriterSchemas(RegistryClients.create(registryUrl, Map.of()));
    return new Lines(
        read(bootstrapServers, prefix + "send-commands", schemas, SendCommand.class, JsonViews::of),
        read(
            bootstrapServers,
            prefix + "send-suppressions",
            schemas,
            Suppression.class,
            JsonViews::of),
        read(bootstrapServers, prefix + "conversions", schemas, Conversion.class, JsonViews::of));
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<String> read(
      String bootstrapServers,
      String topic,
      WriterSchemas schemas,
      Class<T> type,
      Function<T, String> view) {
    List<String> lines = new ArrayList<>();
    if (!TopicReader.exists(bootstrapServers, topic)) {
      System.err.println("report: no topic " + topic + "; taken as empty");
      return lines;
    }
    TopicReader.readToEnd(
        bootstrapServers,
        topic,
        "read_committed",
        r -> {
          try {
            lines.add(view.apply(schemas.decode(r.value(), type)));
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot read " + topic + "@" + r.partition() + ":" + r.offset(), e);
          }
        });
    return lines;
  }
}
