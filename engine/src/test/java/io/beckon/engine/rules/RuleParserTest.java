package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
            "order-confirmation",
            "welcome-first-open",
            "airport-and-store-geofence",
            "birthday-coupon",
            "cart-abandonment-2h",
            "winback-7d",
            "repurchase-30d"),
        rules.rules().stream().map(Rule::id).toList(),
        "fire order: priority, then id");
    assertEquals(
        List.of("onboarding-first-days", "search-without-booking"),
        rules.journeys().stream().map(j -> j.id()).toList());
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
            "r.yaml:3:17: trigger.kind: 'cart' is not one of [cart_abandoned, inactivity, geofence_entered, event, date]"),
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
   * A file with many mistakes: the parser's own (ranges, unknown keys, decimals, windows) and the
   * ones the validator alone used to find (repeated ids, crossing polygons, operators against
   * values, templates, variables, the audience's profile), all reported in one pass, each at its
   * place, warnings included.
   */
  static final String MANY_PROBLEMS =
      """
      id: many-problems
      version: 1
      trigger:
        kind: geofence_entered
        fences:
          - {id: shop, lat: 52.0, lon: 21.0, radius_m: 100}
          - {id: shop, lat: 52.1, lon: 21.0, radius_m: -5}
          - id: bowtie
            polygon: [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
      audience: {attribute: fence_id, op: gt, value: [1, 2]}
      exit_on: [{event: purchase_completed, when: {attribute: total, op: gt, value: 0}}]
      reentry: {once: true, cooldown: 7d}
      message:
        channel: push
        fallback: [push, fax]
        title: "{{ event.sku }} for {{ nickname }}"
        body: "{{ first_name | shout }}"
        variants:
          - when: {attribute: city, op: exists, value: Warsaw}
      experiment:
        holdout_pct: 10.555
        variants: [{id: a, weight: 1}, {id: a, weight: 0}]
      conversion: {event: purchase_completed, within: 0s}
      """;

  @Test
  void everyProblemOfAFileIsFoundInOnePass() {
    RuleParser.Result result = RuleParser.read("r.yaml", MANY_PROBLEMS);
    assertNull(result.rule());
    assertEquals(
        List.of(
            "r.yaml:7:12: error: duplicate fence id 'shop'",
            "r.yaml:7:50: error: trigger.fences[1].radius_m: -5 must be greater than 0",
            "r.yaml:9:41: error: the polygon crosses itself: edge 1 and edge 3 intersect",
            "r.yaml:10:23: error: audience sees the profile only: 'fence_id' is a trigger variable (use message variants instead)",
            "r.yaml:10:48: error: operator gt needs a number, a string or an ISO-8601 timestamp",
            "r.yaml:11:39: error: exit_on[0]: unknown key 'when'",
            "r.yaml:12:23: error: reentry: use either once or cooldown, not both",
            "r.yaml:15:14: warning: fallback repeats the primary channel 'push'",
            "r.yaml:15:20: error: message.fallback[1]: 'fax' is not one of [push, email, sms, whatsapp, in_app]",
            "r.yaml:16:10: error: 'event.sku' is only available to rules with trigger kind event",
            "r.yaml:16:10: warning: unknown variable 'nickname': not a computed property or trigger variable (fine if it is a custom attribute)",
            "r.yaml:17:26: error: template: unknown filter 'shout'",
            "r.yaml:19:7: warning: this variant changes neither title nor body",
            "r.yaml:19:50: error: operator exists takes no value",
            "r.yaml:21:16: error: experiment.holdout_pct: at most two decimals (one bucket is 0.01%)",
            "r.yaml:22:39: error: duplicate experiment variant id 'a'",
            "r.yaml:22:50: error: experiment.variants[1].weight: 0 must be greater than 0",
            "r.yaml:23:49: error: conversion.within: must be longer than 0s"),
        result.problems().stream().map(Problem::toString).toList());
  }

  @Test
  void parseThrowsTheFirstErrorInFileOrder() {
    RuleException e = assertThrows(RuleException.class, () -> RuleParser.parse(MANY_PROBLEMS));
    assertEquals("7:12: duplicate fence id 'shop'", e.getMessage());
  }

  @Test
  void aValidRuleComesWithItsWarnings() {
    RuleParser.Result result =
        RuleParser.read(
            "r.yaml",
            RulesValidatorTest.BASE
                .formatted("exit_on: [{event: purchase_completed}]")
                .replace("body: hi", "body: \"{{ nickname }}\""));
    assertEquals("hostile", result.rule().id());
    assertEquals(List.of(new Rule.ExitOn("purchase_completed", null)), result.rule().exitOn());
    assertEquals(
        List.of(
            "r.yaml:5:32: warning: unknown variable 'nickname': not a computed property or trigger variable (fine if it is a custom attribute)"),
        result.problems().stream().map(Problem::toString).toList());
  }

  /** A rule accepted under higher limits still loads from the job's state; a new one does not. */
  @Test
  void readAcceptedSkipsOnlyTheSizeLimits() {
    String large =
        RulesValidatorTest.BASE.formatted(
            "audience: {attribute: city, op: in, value: [" + "1,".repeat(1000) + "1]}");
    RuleException e = assertThrows(RuleException.class, () -> RuleParser.parse(large));
    assertEquals("4:44: audience.value: 1,001 items; at most 1,000", e.getMessage());
    assertEquals("hostile", RuleParser.readAccepted(large).rule().id());
    assertThrows(
        RuleException.class, () -> RuleParser.readAccepted(large.replace("op: in", "op: gt")));
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
