package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The grammars of rule files and {@code policies.yaml} are written once, in {@link RuleParser} and
 * {@link PoliciesParser}; the JSON Schemas published for editors must describe the same files.
 * Every example rule and a corpus of valid files pass both; a corpus of invalid files, one mistake
 * each, is rejected by both on the same line. What a schema cannot say (crossing polygons, repeated
 * ids, operators against values, templates and their variables, a journey's targets that must name
 * later steps, steps no path reaches) is the parser's alone, and listed in {@link
 * #whatOnlyTheRuleParserSees}.
 */
class SchemaAgreementTest {
  private static final Path GRAMMAR = Path.of("src/test/resources/grammar");

  /** A grammar: its published schema and the parser that binds it. */
  enum Grammar {
    RULE("rule.schema.json", (file, text) -> RuleParser.read(file, text).problems()),
    POLICIES("policies.schema.json", (file, text) -> PoliciesParser.read(file, text).problems());

    final SchemaCheck schema;
    final BiFunction<String, String, List<Problem>> parser;

    Grammar(String schema, BiFunction<String, String, List<Problem>> parser) {
      this.schema = new SchemaCheck(schema);
      this.parser = parser;
    }
  }

  /** One file of a corpus, checked by its grammar's schema and parser. */
  record Sample(Grammar grammar, Path file) {
    List<Problem> schemaProblems() {
      return grammar.schema.check(name(file), YamlNode.parse(read(file)));
    }

    List<Problem> parserErrors() {
      return grammar.parser.apply(name(file), read(file)).stream()
          .filter(Problem::isError)
          .toList();
    }

    @Override
    public String toString() {
      return grammar + " " + name(file);
    }
  }

  static Stream<Sample> validFiles() {
    return Stream.of(
            samples(Grammar.RULE, Path.of("..", "rules"))
                .filter(s -> !name(s.file()).equals(RulesValidator.POLICIES_FILE)),
            Stream.of(
                new Sample(Grammar.POLICIES, Path.of("..", "rules", RulesValidator.POLICIES_FILE))),
            samples(Grammar.RULE, GRAMMAR.resolve("rules/valid")),
            samples(Grammar.POLICIES, GRAMMAR.resolve("policies/valid")))
        .flatMap(s -> s);
  }

  static Stream<Sample> invalidFiles() {
    return Stream.concat(
        samples(Grammar.RULE, GRAMMAR.resolve("rules/invalid")),
        samples(Grammar.POLICIES, GRAMMAR.resolve("policies/invalid")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void validFilesPassBoth(Sample sample) {
    assertEquals(List.of(), sample.schemaProblems(), "the schema rejects " + sample);
    assertEquals(List.of(), sample.parserErrors(), "the parser rejects " + sample);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidFilesAreRejectedByBothOnTheSameLine(Sample sample) {
    List<Problem> schema = sample.schemaProblems();
    List<Problem> errors = sample.parserErrors();
    assertFalse(schema.isEmpty(), "the schema accepts " + sample);
    assertEquals(1, errors.size(), "one mistake, one error: " + errors);
    int line = errors.get(0).line();
    assertTrue(
        schema.stream().anyMatch(p -> p.line() == line),
        "the parser says line " + line + ": " + errors + "; the schema: " + schema);
  }

  @Test
  void theCorporaCoverTheGrammars() {
    assertTrue(validFiles().filter(s -> s.grammar() == Grammar.RULE).count() >= 15);
    assertTrue(invalidFiles().filter(s -> s.grammar() == Grammar.RULE).count() >= 95);
    assertTrue(
        invalidFiles().filter(s -> name(s.file()).startsWith("journey-")).count() >= 20,
        "journeys: one mistake per file");
    assertTrue(validFiles().filter(s -> s.grammar() == Grammar.POLICIES).count() >= 4);
    assertTrue(invalidFiles().filter(s -> s.grammar() == Grammar.POLICIES).count() >= 15);
  }

  /**
   * The broken-rules corpus of {@link RulesValidatorTest} that the schema lets through: exactly the
   * mistakes that need the whole rule, or Liquid, to see. Should the schema learn one of them, this
   * list shrinks; a file that appears here unexpectedly is a gap in the schema.
   */
  @Test
  void whatOnlyTheRuleParserSees() {
    Set<String> passTheSchema = new TreeSet<>();
    samples(Grammar.RULE, RulesValidatorTest.CORPUS)
        .filter(sample -> isYaml(read(sample.file())) && sample.schemaProblems().isEmpty())
        .forEach(sample -> passTheSchema.add(name(sample.file())));
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
            "37-duplicate-experiment-variant.yaml",
            "41-journey-backward-target.yaml",
            "42-journey-unknown-target.yaml",
            "43-journey-target-itself.yaml",
            "45-journey-event-variable-in-date-journey.yaml",
            "46-journey-branch-on-trigger-variable.yaml",
            "47-journey-duplicate-step-id.yaml"),
        passTheSchema);
  }

  private static boolean isYaml(String text) {
    try {
      YamlNode.parse(text);
      return true;
    } catch (RuleException e) {
      return false;
    }
  }

  private static Stream<Sample> samples(Grammar grammar, Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .sorted()
          .map(p -> new Sample(grammar, p))
          .toList()
          .stream();
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
