package io.beckon.tools.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rules preview}: the same recorded events replayed with the rules in force and with a
 * change, figures side by side. The expected figures follow from the contract by hand: three pings
 * of one user within an hour are three sends without caps, one send and two frequency_cap
 * suppressions under a cap of one an hour.
 */
class PreviewCommandTest {
  static final String PING =
      "id: ping\nversion: 1\ntrigger: {kind: event, event: ping}\n"
          + "message: {channel: in_app, body: pong}\n";

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run preview(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        PreviewCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path events() throws Exception {
    Path file = dir.resolve("events.jsonl");
    StringBuilder lines = new StringBuilder();
    for (String time : List.of("10:00:00", "10:20:00", "10:40:00")) {
      lines.append(
          "{\"event_id\":\"e-"
              + time
              + "\",\"user_id\":\"u-1\",\"type\":\"ping\",\"time\":\"2026-03-01T"
              + time
              + "Z\"}\n");
    }
    Files.writeString(file, lines);
    return file;
  }

  private Path folder(String name, String... files) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    for (int i = 0; i < files.length; i += 2) {
      Files.writeString(folder.resolve(files[i]), files[i + 1]);
    }
    return folder;
  }

  /** The numbers of the comparison line "rule figure before after change", split on spaces. */
  static List<String> row(String out, String figure) {
    return out.lines()
        .filter(l -> l.contains(figure))
        .map(
            l ->
                Arrays.asList(
                    l.substring(l.indexOf(figure) + figure.length()).trim().split("\\s+")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + figure + " in\n" + out));
  }

  @Test
  void aCapInTheChangeShowsAsFewerSendsAndFrequencyCapSuppressions() throws Exception {
    Path inForce = folder("in-force", "ping.yaml", PING);
    Path change =
        folder(
            "change",
            "ping.yaml",
            PING.replace("version: 1", "version: 2"),
            "policies.yaml",
            "frequency_caps: [{max: 1, per: 1h}]\n");
    Path page = dir.resolve("preview.html");
    Run run =
        preview(
            change.toString(),
            "--events",
            events().toString(),
            "--against",
            inForce.toString(),
            "--html",
            page.toString());
    assertEquals(0, run.status(), run.err());
    assertEquals(List.of("3", "3", "0"), row(run.out(), "Fires"));
    assertEquals(List.of("3", "1", "-2"), row(run.out(), "Sends"));
    assertEquals(List.of("0", "2", "+2"), row(run.out(), "Frequency cap"));
    var html = Jsoup.parse(Files.readString(page));
    assertTrue(html.text().contains("ping"), "the page names the rule");
  }

  @Test
  void withoutAgainstItReportsTheChangeAlone() throws Exception {
    Path change = folder("alone", "ping.yaml", PING);
    Run run = preview(change.toString(), "--events", events().toString());
    assertEquals(0, run.status(), run.err());
    assertTrue(
        run.out().lines().anyMatch(l -> l.matches("ping\\s+default\\s+3\\s+3\\s.*")), run.out());
  }

  @Test
  void anInvalidFolderIsRefusedWithItsProblems() throws Exception {
    Path broken = folder("broken", "ping.yaml", PING.replace("in_app", "pigeon"));
    Run run = preview(broken.toString(), "--events", events().toString());
    assertEquals(1, run.status());
    assertTrue(run.err().contains("ping.yaml:4:"), run.err());
    assertEquals(2, preview("--events", "x").status(), "the folder comes first");
  }
}
