package io.beckon.tools;

import io.beckon.tools.embedded.EmbeddedKafka;
import io.beckon.tools.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A real broker and a real registry server for an integration test class, in one temp folder that
 * is deleted on close.
 */
public final class LocalInfrastructure implements AutoCloseable {
  public final Path work;
  public final EmbeddedKafka kafka;
  public final EmbeddedSchemaRegistry registry;

  private LocalInfrastructure(Path work, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    this.work = work;
    this.kafka = kafka;
    this.registry = registry;
  }

  public static LocalInfrastructure start(String name) throws IOException {
    Path work = Files.createTempDirectory(name + "-");
    EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
    try {
      EmbeddedSchemaRegistry registry =
          EmbeddedSchemaRegistry.start(
              EmbeddedSchemaRegistry.locateRunnerJar(
                  Path.of(System.getProperty("beckon.apicurio.dir", "target/apicurio"))),
              work.resolve("registry"));
      return new LocalInfrastructure(work, kafka, registry);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  @Override
  public void close() {
    registry.close();
    kafka.close();
    try (var paths = Files.walk(work)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
