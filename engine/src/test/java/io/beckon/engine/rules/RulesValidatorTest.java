package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The rules validator: a corpus of broken files with the exact position and message of each
 * problem.
 */
class RulesValidatorTest {
  static final Path CORPUS = Path.of("src/test/resources/broken-rules");

  @Test
  void everyBrokenFileIsReportedWithPositionAndCause() throws Exception {
    List<String> expected = Files.readAllLines(CORPUS.resolve("EXPECTED"), StandardCharsets.UTF_8);
    List<String> actual = new ArrayList<>();
    List<Path> files;
    try (var list = Files.list(CORPUS)) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 30, "a corpus of at least 30 broken files");
    for (Path file : files) {
      String name = file.getFileName().toString();
      List<Problem> problems = RulesValidator.validate(Map.of(name, Files.readString(file)));
      assertTrue(problems.stream().anyMatch(Problem::isError), name + " must be rejected");
      problems.forEach(p -> actual.add(p.toString()));
    }
    assertEquals(expected, actual);
  }

  @Test
  void theExampleRulesAreValidWithoutWarnings() {
    assertEquals(List.of(), RulesValidator.validateFolder(Path.of("..", "rules")));
  }

  @Test
  void allProblemsOfAFileAreReportedAtOnce() {
    String rule =
        "id: Bad Id\nversion: 0\ntrigger: {kind: cart_abandoned, delay: soon}\nmessage: {channel: fax, body: x}\n";
    List<String> problems =
        RulesValidator.validate(Map.of("r.yaml", rule)).stream().map(Problem::toString).toList();
    assertEquals(
        List.of(
            "r.yaml:1:5: error: id: 'Bad Id' does not match ^[a-z0-9-]{3,64}$",
            "r.yaml:2:10: error: version: 0 is too small (minimum 1)",
            "r.yaml:3:40: error: trigger.delay: 'soon' is not a duration: use a whole number and s, m, h or d (e.g. 90m, 7d)",
            "r.yaml:4:20: error: message.channel: 'fax' is not one of [push, email, sms, whatsapp, in_app]"),
        problems);
  }

  @Test
  void duplicateIdsAcrossFilesAndUnknownVariablesAsWarnings() {
    String a =
        "id: same-id\nversion: 1\ntrigger: {kind: inactivity, after: 7d}\nmessage: {channel: push, body: \"{{ nickname }}\"}\n";
    Map<String, String> files = new TreeMap<>(Map.of("a.yaml", a, "b.yaml", a));
    assertEquals(
        List.of(
            "a.yaml:4:32: warning: unknown variable 'nickname': not a computed property or trigger variable (fine if it is a custom attribute)",
            "b.yaml:1:5: error: rule id 'same-id' is already used by a.yaml",
            "b.yaml:4:32: warning: unknown variable 'nickname': not a computed property or trigger variable (fine if it is a custom attribute)"),
        RulesValidator.validate(files).stream().map(Problem::toString).toList());
  }

  @Test
  void policiesFile() {
    assertEquals(
        List.of(),
        RulesValidator.validate(
            Map.of(
                "policies.yaml",
                "default_timezone: Europe/Warsaw\nquiet_hours: {start: \"22:00\", end: \"08:00\"}\nfrequency_caps:\n  - {max: 3, per: 24h}\n")));
    assertEquals(
        List.of(
            "policies.yaml:2:22: error: quiet_hours.start: '25:00' is not a time of day (HH:MM, 00:00 to 23:59)",
            "policies.yaml:3:24: error: frequency_caps[0].max: 0 is too small (minimum 1)"),
        RulesValidator.validate(
                Map.of(
                    "policies.yaml",
                    "default_timezone: Europe/Warsaw\nquiet_hours: {start: \"25:00\", end: \"08:00\"}\nfrequency_caps: [{max: 0, per: 24h}]\n"))
            .stream()
            .map(Problem::toString)
            .toList());
    assertEquals(
        List.of(
            "policies.yaml:1:19: error: default_timezone: 'Mars/Olympus' is not an IANA time zone id"),
        RulesValidator.validate(Map.of("policies.yaml", "default_timezone: Mars/Olympus\n"))
            .stream()
            .map(Problem::toString)
            .toList());
  }
}
