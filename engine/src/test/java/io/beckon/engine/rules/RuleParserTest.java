package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rule files: the example repository is valid; a broken file names file, line and cause. */
class RuleParserTest {
  @Test
  void exampleRulesAreValid() {
    RuleSet rules = RuleSet.parse(RuleSet.readFolder(Path.of("..", "rules")));
    assertEquals(
        List.of(
            "welcome-first-open",
            "airport-and-store-geofence",
            "cart-abandonment-2h",
            "winback-7d",
            "repurchase-30d"),
        rules.rules().stream().map(Rule::id).toList(),
        "fire order: priority, then id");
  }

  static List<String> problems(String yaml) {
    return assertThrows(
            RuleSet.InvalidRulesException.class, () -> RuleSet.parse(Map.of("r.yaml", yaml)))
        .problems();
  }

  @Test
  void problemsCarryFileLineAndColumn() {
    assertEquals(
        List.of(
            "r.yaml:3:40: trigger.delay: '2 hours' is not a duration: use a whole number and s, m, h or d (e.g. 90m, 7d)"),
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2 hours}\nmessage: {channel: push, body: x}\n"));
    assertEquals(
        List.of(
            "r.yaml:3:17: trigger.kind: 'cart' is not one of [cart_abandoned, inactivity, geofence_entered, event]"),
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart, delay: 2h}\nmessage: {channel: push, body: x}\n"));
    assertEquals(
        List.of("r.yaml:5:1: unknown key 'mesage'"),
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: push, body: x}\nmesage: {channel: push, body: x}\n"));
    assertEquals(
        List.of("r.yaml:1:1: missing required key 'message'"),
        problems("id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\n"));
    assertEquals(
        List.of("r.yaml:1:5: id: 'Cart Rule' must be 3 to 64 characters: a-z, 0-9 and '-'"),
        problems(
            "id: Cart Rule\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: push, body: x}\n"));
  }

  @Test
  void unknownChannelOperatorAndTemplateFilterAreRejected() {
    assertEquals(
        List.of(
            "r.yaml:4:20: message.channel: 'pigeon' is not one of [push, email, sms, whatsapp, in_app]"),
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: pigeon, body: x}\n"));
    assertEquals(
        List.of(
            "r.yaml:4:36: audience.op: 'equals' is not one of [eq, ne, in, not_in, gt, gte, lt, lte, exists, not_exists, contains]"),
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\naudience: {attribute: country, op: equals, value: PL}\nmessage: {channel: push, body: x}\n"));
    List<String> template =
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: push, body: \"{{ x | shout }}\"}\n");
    assertEquals(1, template.size());
    assertEquals(
        true,
        template.get(0).startsWith("r.yaml:4:")
            && template.get(0).contains("unknown filter 'shout'"),
        template.get(0));
  }

  @Test
  void duplicateIdsAcrossFilesAreRejected() {
    String rule =
        "id: same\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: push, body: x}\n";
    var e =
        assertThrows(
            RuleSet.InvalidRulesException.class,
            () -> RuleSet.parse(new java.util.TreeMap<>(Map.of("a.yaml", rule, "b.yaml", rule))));
    assertEquals(List.of("b.yaml:1:1: rule id 'same' is already used by a.yaml"), e.problems());
  }

  /**
   * The loader that replay and the job use enforces the same limits as the validator: hostile files
   * are problems with a position, never another exception or a stack overflow.
   */
  @Test
  void hostileFilesAreProblemsOfTheLoaderToo() {
    String base = RulesValidatorTest.BASE;
    assertEquals(
        List.of("r.yaml:1:4: invalid YAML: an alias refers to itself"), problems("a: &a [*a]\n"));
    assertEquals(
        List.of("r.yaml:1:1: invalid YAML: lists and mappings nested deeper than 40 levels"),
        problems("a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n"));
    assertEquals(
        List.of("r.yaml:4:44: audience.value: 1,001 items; at most 1,000"),
        problems(
            base.formatted(
                "audience: {attribute: city, op: in, value: [" + "1,".repeat(1000) + "1]}")));
    assertEquals(
        List.of("r.yaml:1:1: the rule has 201 conditions; at most 200"),
        problems(
            base.formatted(
                "audience: {any: ["
                    + "{attribute: city, op: exists},".repeat(199)
                    + "{attribute: city, op: exists}]}")));
  }
}
