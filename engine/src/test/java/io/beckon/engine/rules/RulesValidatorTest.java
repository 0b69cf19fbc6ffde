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

  /** A valid rule to build hostile variants of: {@code %s} is replaced by one more part. */
  static final String BASE =
      "id: hostile\nversion: 1\ntrigger: {kind: inactivity, after: 7d}\n%s\nmessage: {channel: push, body: hi}\n";

  static String repeat(String item, int times, String separator) {
    return String.join(separator, java.util.Collections.nCopies(times, item));
  }

  /**
   * Hostile files, generated rather than checked in: each is reported at a position with a message
   * naming the limit, never thrown, never a stack overflow, and all of them within seconds.
   */
  @Test
  void hostileFilesAreReportedNeverThrown() {
    Map<String, String> files = new TreeMap<>();
    files.put("h01-recursive-alias.yaml", "a: &a [*a]\n");
    files.put(
        "h02-alias-bomb.yaml",
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "b: &b ["
            + repeat("*a", 9, ", ")
            + "]\n"
            + "c: &c ["
            + repeat("*b", 9, ", ")
            + "]\n"
            + "d: &d ["
            + repeat("*c", 9, ", ")
            + "]\n");
    // Within the alias limit, doubling 11 times: 1,000 x 2^10 values.
    StringBuilder doubling = new StringBuilder("l0: &l0 [" + repeat("1", 1000, ",") + "]\n");
    for (int i = 1; i <= 10; i++) {
      doubling.append("l").append(i).append(": &l").append(i);
      doubling.append(" [*l").append(i - 1).append(", *l").append(i - 1).append("]\n");
    }
    files.put("h03-alias-doubling.yaml", doubling.toString());
    files.put("h04-deep-nesting.yaml", "a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
    files.put("h05-ten-megabytes.yaml", "id: big\n# " + "x".repeat(10 * 1024 * 1024) + "\n");
    String point = "[52.1, 21.0]";
    files.put(
        "h06-polygon-100000-vertices.yaml",
        BASE.formatted("")
            .replace(
                "{kind: inactivity, after: 7d}",
                "{kind: geofence_entered, fences: [{id: f, polygon: ["
                    + repeat(point, 100_000, ",")
                    + "]}]}"));
    files.put(
        "h07-polygon-1001-vertices.yaml",
        BASE.formatted("")
            .replace(
                "{kind: inactivity, after: 7d}",
                "{kind: geofence_entered, fences: [{id: f, polygon: ["
                    + repeat(point, 1001, ",")
                    + "]}]}"));
    files.put(
        "h08-101-fences.yaml",
        BASE.formatted("")
            .replace(
                "{kind: inactivity, after: 7d}",
                "{kind: geofence_entered, fences: ["
                    + repeat("{id: f, lat: 1, lon: 1, radius_m: 5}", 101, ",")
                    + "]}"));
    files.put(
        "h09-in-list-million.yaml",
        BASE.formatted(
            "audience: {attribute: city, op: in, value: [" + repeat("1", 1_000_000, ",") + "]}"));
    files.put(
        "h10-in-list-1001.yaml",
        BASE.formatted(
            "audience: {attribute: city, op: in, value: [" + repeat("1", 1001, ",") + "]}"));
    files.put(
        "h11-template-9000.yaml",
        BASE.formatted("").replace("body: hi", "body: \"" + "x".repeat(9000) + "\""));
    files.put(
        "h12-template-300k.yaml",
        BASE.formatted("").replace("body: hi", "body: \"" + "x".repeat(300_000) + "\""));
    String leaf = "{attribute: city, op: exists}";
    files.put(
        "h13-201-conditions.yaml",
        BASE.formatted("audience: {any: [" + repeat(leaf, 200, ",") + "]}"));
    files.put(
        "h14-conditions-9-deep.yaml",
        BASE.formatted("audience: " + "{not: ".repeat(9) + leaf + "}".repeat(9)));
    files.put(
        "h15-21-variants.yaml",
        BASE.formatted("")
            .replace(
                "body: hi}",
                "body: hi, variants: [" + repeat("{when: " + leaf + ", body: x}", 21, ",") + "]}"));
    files.put(
        "h16-5-fallbacks.yaml",
        BASE.formatted("")
            .replace("body: hi}", "body: hi, fallback: [email, sms, whatsapp, in_app, email]}"));
    files.put("h17-101-exit-on.yaml", BASE.formatted("exit_on: [" + repeat("x", 101, ",") + "]"));

    long start = System.nanoTime();
    List<String> problems = new ArrayList<>();
    files.forEach(
        (name, text) ->
            RulesValidator.validate(Map.of(name, text)).forEach(p -> problems.add(p.toString())));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(
        List.of(
            "h01-recursive-alias.yaml:1:4: error: invalid YAML: an alias refers to itself",
            "h02-alias-bomb.yaml:1:1: error: invalid YAML: more than 20 aliases of lists or mappings (an alias bomb?)",
            "h03-alias-doubling.yaml:1:1: error: invalid YAML: more than 200,000 values once aliases are expanded",
            "h04-deep-nesting.yaml:1:1: error: invalid YAML: lists and mappings nested deeper than 40 levels",
            "h05-ten-megabytes.yaml:1:1: error: the file is 10,485,771 bytes; a rule file may be at most 262,144 bytes (256 KiB)",
            "h06-polygon-100000-vertices.yaml:1:1: error: the file is 1,300,124 bytes; a rule file may be at most 262,144 bytes (256 KiB)",
            "h07-polygon-1001-vertices.yaml:3:61: error: trigger.fences[0].polygon: 1,001 vertices; at most 1,000",
            "h08-101-fences.yaml:3:43: error: trigger.fences: 101 fences; at most 100",
            "h09-in-list-million.yaml:1:1: error: the file is 2,000,143 bytes; a rule file may be at most 262,144 bytes (256 KiB)",
            "h10-in-list-1001.yaml:4:44: error: audience.value: 1,001 items; at most 1,000",
            "h11-template-9000.yaml:5:32: error: message.body: the template is 9,000 characters; at most 8,192",
            "h12-template-300k.yaml:1:1: error: the file is 300,098 bytes; a rule file may be at most 262,144 bytes (256 KiB)",
            "h13-201-conditions.yaml:1:1: error: the rule has 201 conditions; at most 200",
            "h14-conditions-9-deep.yaml:4:59: error: audience.not.not.not.not.not.not.not.not: condition groups nested deeper than 8 levels",
            "h15-21-variants.yaml:5:46: error: message.variants: 21 variants; at most 20",
            "h16-5-fallbacks.yaml:5:46: error: message.fallback: 5 channels; at most 4",
            "h17-101-exit-on.yaml:4:10: error: exit_on: 101 event types; at most 100"),
        problems);
    assertTrue(millis < 10_000, "checked in " + millis + " ms");
  }

  /** A file past the size limit is reported from its size alone, without being read. */
  @Test
  void aFolderWithAnOversizedFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("big.yaml"), "# " + "x".repeat(300_000) + "\n");
    Files.writeString(dir.resolve("ok.yaml"), BASE.formatted(""));
    assertEquals(
        List.of(
            "big.yaml:1:1: error: the file is 300,003 bytes; a rule file may be at most 262,144 bytes (256 KiB)"),
        RulesValidator.validateFolder(dir).stream().map(Problem::toString).toList());
  }

  /** A template nested as deep as its size allows is fine: no stack overflow anywhere. */
  @Test
  void aTemplateNestedAsDeepAsItsSizeAllowsIsValid() {
    String nested = "{%if city%}".repeat(400) + "x" + "{%endif%}".repeat(400);
    String ored = "{% if city" + " or city".repeat(1000) + " %}x{% endif %}";
    assertTrue(
        nested.length() <= RuleLimits.TEMPLATE_CHARS && ored.length() <= RuleLimits.TEMPLATE_CHARS);
    assertEquals(
        List.of(),
        RulesValidator.validate(
            Map.of(
                "a.yaml",
                BASE.formatted("")
                    .replace("body: hi", "title: \"" + nested + "\", body: \"" + ored + "\""))));
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
            "r.yaml:1:5: error: id: 'Bad Id' must be 3 to 64 characters: a-z, 0-9 and '-'",
            "r.yaml:2:10: error: version: 0 is too small (minimum 1)",
            "r.yaml:3:40: error: trigger.delay: 'soon' is not a duration: use a whole number and s, m, h or d (e.g. 90m, 7d)",
            "r.yaml:4:20: error: message.channel: 'fax' is not one of [push, email, sms, whatsapp, in_app]"),
        problems);
  }

  /**
   * A mistake of the grammar no longer hides the others: a wrong version, a crossing polygon and an
   * unknown filter come out together, and the file's id still counts across files.
   */
  @Test
  void grammarMistakesDoNotHideTheOthers() {
    String b =
        """
        id: hostile
        version: 0
        trigger:
          kind: geofence_entered
          fences: [{id: bowtie, polygon: [[0, 0], [1, 1], [1, 0], [0, 1]]}]
        message: {channel: push, body: "{{ city | shout }}"}
        """;
    assertEquals(
        List.of(
            "b.yaml:1:5: error: rule id 'hostile' is already used by a.yaml",
            "b.yaml:2:10: error: version: 0 is too small (minimum 1)",
            "b.yaml:5:51: error: the polygon crosses itself: edge 1 and edge 3 intersect",
            "b.yaml:6:43: error: template: unknown filter 'shout'"),
        RulesValidator.validate(Map.of("a.yaml", BASE.formatted(""), "b.yaml", b)).stream()
            .map(Problem::toString)
            .toList());
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

  @Test
  void aDateTriggerAtInsideQuietHoursIsAWarning() {
    List<Problem> problems =
        RulesValidator.validate(
            Map.of(
                "policies.yaml",
                "quiet_hours: {start: \"22:00\", end: \"08:00\"}\n",
                "night.yaml",
                "id: night\nversion: 1\ntrigger: {kind: date, attribute: d, at: \"07:30\"}\n"
                    + "message: {channel: in_app, body: x}\n",
                "day.yaml",
                "id: day\nversion: 1\ntrigger: {kind: date, attribute: d, at: \"08:00\"}\n"
                    + "message: {channel: in_app, body: x}\n",
                "ignores.yaml",
                "id: ignores\nversion: 1\ntrigger: {kind: date, attribute: d, at: \"23:00\"}\n"
                    + "policies: {quiet_hours: ignore}\nmessage: {channel: in_app, body: x}\n",
                "trip.yaml",
                "kind: journey\nid: trip\nversion: 1\n"
                    + "trigger: {kind: date, attribute: d, at: \"06:00\"}\n"
                    + "steps:\n  - id: hi\n    send: {channel: in_app, body: x}\n"));
    assertEquals(
        List.of(
            "night.yaml:3:41: warning: at 07:30 lies inside the quiet hours of policies.yaml"
                + " (22:00 to 08:00): every occurrence will be held until 08:00",
            "trip.yaml:4:41: warning: at 06:00 lies inside the quiet hours of policies.yaml"
                + " (22:00 to 08:00): every occurrence will be held until 08:00"),
        problems.stream().map(Problem::toString).toList());
  }
}
