package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportModelTest {
  private static final double EPS = 1e-9;

  private static void assertRow(
      Figures f, long fires, long sends, Map<Reason, Long> suppressed, long conversions) {
    assertEquals(fires, f.fires(), f.group() + " fires");
    assertEquals(sends, f.sends(), f.group() + " sends");
    for (Reason r : Reason.values()) {
      assertEquals(suppressed.getOrDefault(r, 0L), f.suppressed(r), f.group() + " " + r);
    }
    assertEquals(conversions, f.conversions(), f.group() + " conversions");
  }

  @Test
  void withRulesEverySuppressionGoesToTheVariantOfItsUsersBucket() {
    ReportModel model = ReportFixtures.model(ReportFixtures.rules());

    assertEquals(
        List.of("ghost", "idle", "plain", "promo"),
        model.rules().stream().map(RuleReport::ruleId).toList());
    assertEquals(Instant.parse(ReportFixtures.FIRST), model.firstFire());
    assertEquals(Instant.parse(ReportFixtures.LAST), model.lastFire());

    RuleReport promo = model.rule("promo");
    assertEquals(
        List.of("a", "b", "holdout"), promo.groups().stream().map(Figures::group).toList());
    // a: sends u-1, u-2, u-5; u-12 (bucket 3846) suppressed by audience; converted u-1, u-5.
    Figures a = promo.group("a");
    assertRow(a, 4, 3, Map.of(Reason.AUDIENCE, 1L), 2);
    assertEquals(2.0 / 3, a.rate(), EPS);
    // b: sends u-4, u-6; u-7 capped, u-9 unreachable; converted u-4.
    Figures b = promo.group("b");
    assertRow(b, 4, 2, Map.of(Reason.FREQUENCY_CAP, 1L, Reason.UNREACHABLE, 1L), 1);
    assertEquals(0.5, b.rate(), EPS);
    // holdout: u-3, u-8, u-15; u-24 (bucket 1579) was out of the audience; converted u-3.
    Figures holdout = promo.group("holdout");
    assertRow(holdout, 4, 0, Map.of(Reason.HOLDOUT, 3L, Reason.AUDIENCE, 1L), 1);
    assertEquals(1.0 / 3, holdout.rate(), EPS, "an audience suppression is not a holdout fire");
    assertNull(holdout.lift());

    // Lift a = (2/3) / (1/3) - 1 = 1; b = (1/2) / (1/3) - 1 = 0.5.
    assertEquals(1.0, a.lift().estimate(), EPS);
    assertEquals(0.5, b.lift().estimate(), EPS);

    Figures total = promo.total();
    assertRow(
        total,
        12,
        5,
        Map.of(
            Reason.AUDIENCE, 2L,
            Reason.HOLDOUT, 3L,
            Reason.UNREACHABLE, 1L,
            Reason.FREQUENCY_CAP, 1L),
        4);
    // 4 conversions of 5 sends + 3 holdout fires; pooled lift (3/5) / (1/3) - 1 = 0.8.
    assertEquals(0.5, total.rate(), EPS);
    assertEquals(0.8, total.lift().estimate(), EPS);
    assertEquals(0, promo.unassigned());

    RuleReport plain = model.rule("plain");
    assertEquals(List.of("default"), plain.groups().stream().map(Figures::group).toList());
    assertRow(plain.group("default"), 3, 2, Map.of(Reason.REENTRY, 1L), 1);
    assertEquals(0.5, plain.group("default").rate(), EPS);
    assertNull(plain.group("default").lift(), "no holdout, no lift");
    assertNull(plain.total().lift());

    RuleReport ghost = model.rule("ghost");
    assertRow(ghost.group("default"), 1, 1, Map.of(), 0);
    assertEquals(1, ghost.unassigned(), "a rule not in the set cannot be bucketed");
    assertRow(ghost.total(), 2, 1, Map.of(Reason.AUDIENCE, 1L), 0);

    RuleReport idle = model.rule("idle");
    assertRow(idle.group("default"), 0, 0, Map.of(), 0);
    assertNull(idle.group("default").rate(), "no send: n/a");
    assertFalse(idle.measuresConversions(), "idle defines no conversion");
    assertTrue(promo.measuresConversions());
    assertTrue(ghost.measuresConversions(), "unknown rule: its conversions are shown as counted");
  }

  @Test
  void withoutRulesSuppressionsOtherThanHoldoutCountInTheTotalOnly() {
    ReportModel model = ReportFixtures.model(null);

    assertEquals(
        List.of("ghost", "plain", "promo"),
        model.rules().stream().map(RuleReport::ruleId).toList());
    RuleReport promo = model.rule("promo");
    assertEquals(
        List.of("a", "b", "holdout"), promo.groups().stream().map(Figures::group).toList());
    assertRow(promo.group("a"), 3, 3, Map.of(), 2);
    assertRow(promo.group("b"), 2, 2, Map.of(), 1);
    assertRow(promo.group("holdout"), 3, 0, Map.of(Reason.HOLDOUT, 3L), 1);
    assertEquals(4, promo.unassigned());
    assertRow(
        promo.total(),
        12,
        5,
        Map.of(
            Reason.AUDIENCE, 2L,
            Reason.HOLDOUT, 3L,
            Reason.UNREACHABLE, 1L,
            Reason.FREQUENCY_CAP, 1L),
        4);
    assertEquals(1.0, promo.group("a").lift().estimate(), EPS);

    RuleReport plain = model.rule("plain");
    assertRow(plain.group("default"), 2, 2, Map.of(), 1);
    assertEquals(1, plain.unassigned());
  }

  @Test
  void aJourneyIsOneDefaultGroupWithoutConversionsAndItsSuppressionsAreAssigned() {
    var rules =
        io.beckon.engine.rules.RuleSet.parse(
            Map.of(
                "trial.yaml",
                """
                kind: journey
                id: trial
                version: 1
                trigger: {kind: event, event: trial_started}
                steps:
                  - id: hello
                    send: {channel: in_app, body: "hi"}
                """));
    ReportModel model =
        ReportModel.from(
            List.of(ReportFixtures.command("trial", "u-1", "default", ReportFixtures.T1)),
            List.of(ReportFixtures.suppression("trial", "u-2", "frequency_cap", ReportFixtures.T2)),
            List.of(),
            rules);
    RuleReport trial = model.rule("trial");
    assertEquals(List.of("default"), trial.groups().stream().map(Figures::group).toList());
    assertRow(trial.group("default"), 2, 1, Map.of(Reason.FREQUENCY_CAP, 1L), 0);
    assertEquals(0, trial.unassigned());
    assertFalse(trial.measuresConversions(), "journeys have no conversion (contract v2)");
  }

  @Test
  void conversionsAloneMakeARow() {
    ReportModel model =
        ReportModel.from(
            List.of(),
            List.of(),
            List.of(ReportFixtures.conversion("late", "u-1", "a", ReportFixtures.T1)),
            null);
    Figures a = model.rule("late").group("a");
    assertRow(a, 0, 0, Map.of(), 1);
    assertNull(a.rate(), "no send to divide by");
  }

  @Test
  void anEmptyInputHasNoRuleAndNoPeriod() {
    ReportModel model = ReportModel.from(List.of(), List.of(""), List.of(), null);
    assertTrue(model.rules().isEmpty());
    assertNull(model.firstFire());
    assertNull(model.lastFire());
  }

  @Test
  void aBadLineIsNamedByInputAndLineNumber() {
    List<String> lines =
        List.of(
            ReportFixtures.suppression("promo", "u-1", "audience", ReportFixtures.T1),
            "{\"user_id\":\"u-2\",\"fire_time\":\"2026-01-05T10:00:00Z\",\"reason\":\"audience\"}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReportModel.from(List.of(), lines, List.of(), null));
    assertEquals("suppressions line 2: 'rule_id' is missing or not a string", e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ReportModel.from(
                    List.of(),
                    List.of(ReportFixtures.suppression("p", "u", "quiet_hours", ReportFixtures.T1)),
                    List.of(),
                    null));
    assertEquals("suppressions line 1: unknown suppression reason 'quiet_hours'", e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReportModel.from(List.of("{\"send_id\":"), List.of(), List.of(), null));
    assertTrue(e.getMessage().startsWith("commands line 1: invalid JSON"), e.getMessage());
  }
}
