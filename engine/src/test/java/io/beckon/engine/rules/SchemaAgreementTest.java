package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rule grammar is written once, in {@link RuleParser}; the JSON Schema published for editors
 * ({@code rule.schema.json}) must describe the same files. Every example rule and a corpus of valid
 * rules pass both; a corpus of invalid rules, one mistake each, is rejected by both on the same
 * line. What a schema cannot say (crossing polygons, repeated ids, operators against values,
 * templates and their variables) is the parser's alone, and listed in {@link
 * #whatOnlyTheParserSees}.
 */
class SchemaAgreementTest {
  private static final SchemaCheck SCHEMA = new SchemaCheck("rule.schema.json");
  private static final Path GRAMMAR = Path.of("src/test/resources/grammar");

  static Stream<Path> validRules() {
    return Stream.concat(yamlFiles(Path.of("..", "rules")), yamlFiles(GRAMMAR.resolve("valid")));
  }

  static Stream<Path> invalidRules() {
    return yamlFiles(GRAMMAR.resolve("invalid"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRules")
  void validRulesPassBoth(Path file) {
    String text = read(file);
    assertEquals(List.of(), schema(file, text), "the schema rejects " + file);
    RuleParser.Result parsed = RuleParser.read(name(file), text);
    assertEquals(List.of(), errors(parsed), "the parser rejects " + file);
    assertNotNull(parsed.rule());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRules")
  void invalidRulesAreRejectedByBothOnTheSameLine(Path file) {
    String text = read(file);
    List<Problem> schema = schema(file, text);
    RuleParser.Result parsed = RuleParser.read(name(file), text);
    List<Problem> errors = errors(parsed);
    assertFalse(schema.isEmpty(), "the schema accepts " + file);
    assertEquals(1, errors.size(), "one mistake, one error: " + errors);
    assertNull(parsed.rule());
    int line = errors.get(0).line();
    assertTrue(
        schema.stream().anyMatch(p -> p.line() == line),
        "the parser says line " + line + ": " + errors + "; the schema: " + schema);
  }

  @Test
  void theCorporaCoverTheGrammar() {
    assertTrue(validRules().count() >= 12, "valid rules: the examples and the corpus");
    assertTrue(invalidRules().count() >= 60, "invalid rules: one per kind of mistake");
  }

  /**
   * The broken-rules corpus of {@link RulesValidatorTest} that the schema lets through: exactly the
   * mistakes that need the whole rule, or Liquid, to see. Should the schema learn one of them, this
   * list shrinks; a file that appears here unexpectedly is a gap in the schema.
   */
  @Test
  void whatOnlyTheParserSees() {
    Set<String> passTheSchema = new TreeSet<>();
    yamlFiles(RulesValidatorTest.CORPUS)
        .forEach(
            file -> {
              String text = read(file);
              if (isYaml(text) && schema(file, text).isEmpty()) {
                passTheSchema.add(name(file));
              }
            });
    assertEquals(
        Set.of(
            "16-polygon-two-distinct-points.yaml",
            "17-polygon-crosses-itself.yaml",
            "18-duplicate-fence-ids.yaml",
            "21-ordering-with-a-list.yaml",
            "22-exists-with-value.yaml",
            "23-eq-without-value.yaml",
            "24-contains-with-a-list.yaml",
            "25-audience-on-trigger-variable.yaml",
            "26-audience-on-event-property.yaml",
            "29-unknown-filter.yaml",
            "30-unclosed-if.yaml",
            "31-event-variable-outside-event-rule.yaml",
            "37-duplicate-experiment-variant.yaml"),
        passTheSchema);
  }

  private static List<Problem> schema(Path file, String text) {
    return SCHEMA.check(name(file), YamlNode.parse(text));
  }

  private static List<Problem> errors(RuleParser.Result parsed) {
    return parsed.problems().stream().filter(Problem::isError).toList();
  }

  private static boolean isYaml(String text) {
    try {
      YamlNode.parse(text);
      return true;
    } catch (RuleException e) {
      return false;
    }
  }

  private static Stream<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String name(Path file) {
    return file.getFileName().toString();
  }
}
