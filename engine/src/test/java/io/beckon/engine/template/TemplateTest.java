package io.beckon.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TemplateTest {

  /** Renders {@code source} with variables taken from alternating key/value pairs. */
  private static String render(String source, Object... keyValues) throws TemplateException {
    Map<String, Object> vars = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      vars.put((String) keyValues[i], keyValues[i + 1]);
    }
    return Template.parse(source).render(vars::get);
  }

  private static TemplateException parseError(String source) {
    return assertThrows(TemplateException.class, () -> Template.parse(source));
  }

  private static void assertError(String source, String message, int line, int column) {
    TemplateException e = parseError(source);
    assertEquals(message, e.getMessage(), "message");
    assertEquals(line, e.line(), "line of: " + e.getMessage());
    assertEquals(column, e.column(), "column of: " + e.getMessage());
  }

  @Nested
  class Defaults {
    private static final String GREETING =
        "{{ first_name | default: 'Hi there' }}, your cart misses you";

    @Test
    void missingValueUsesDefault() throws Exception {
      assertEquals("Hi there, your cart misses you", render(GREETING));
    }

    @Test
    void presentValueWins() throws Exception {
      assertEquals("Ana, your cart misses you", render(GREETING, "first_name", "Ana"));
    }

    @Test
    void falseAndEmptyStringUseDefault() throws Exception {
      assertEquals("Hi there, your cart misses you", render(GREETING, "first_name", ""));
      assertEquals("Hi there, your cart misses you", render(GREETING, "first_name", false));
    }

    @Test
    void zeroAndWhitespaceAreKept() throws Exception {
      assertEquals("0", render("{{ n | default: 5 }}", "n", 0L));
      assertEquals("[ ]", render("[{{ s | default: 'x' }}]", "s", " "));
    }

    @Test
    void emptyListKeepsItsValueAsTheContractSays() throws Exception {
      // Contract section 6: default applies to nil, false and empty strings only.
      assertEquals("", render("{{ items | default: 'none' }}", "items", List.of()));
    }

    @Test
    void defaultArgumentMayBeAVariable() throws Exception {
      assertEquals("Bob", render("{{ nick | default: name }}", "name", "Bob"));
    }
  }

  @Nested
  class Numbers {
    private static final String CART =
        "{{ cart_units }} items worth {{ cart_value | round: 2 }} {{ currency | default: 'USD' }} are waiting.";

    @Test
    void doubleAndLongRendering() throws Exception {
      assertEquals(
          "2 items worth 19.0 USD are waiting.",
          render(CART, "cart_units", 2L, "cart_value", 19.0));
      assertEquals("19.0", render("{{ v }}", "v", 19.0));
      assertEquals("9.5", render("{{ v }}", "v", 9.5));
      assertEquals("2", render("{{ v }}", "v", 2L));
      assertEquals("7", render("{{ v }}", "v", 7));
    }

    @Test
    void roundToTwoDecimals() throws Exception {
      assertEquals(
          "3 items worth 19.46 EUR are waiting.",
          render(CART, "cart_units", 3L, "cart_value", 19.456, "currency", "EUR"));
      assertEquals("2.68", render("{{ v | round: 2 }}", "v", 2.675));
      assertEquals("20.0", render("{{ v | round: 2 }}", "v", 19.999));
      assertEquals("1.5", render("{{ '1.45' | round: 1 }}"));
    }

    @Test
    void roundWithoutArgumentGivesLong() throws Exception {
      assertEquals("10", render("{{ v | round }}", "v", 9.5));
      assertEquals("9", render("{{ v | round }}", "v", 9.49));
      assertEquals("4", render("{{ 4 | round }}"));
    }

    @Test
    void floorCeilAbs() throws Exception {
      assertEquals("4", render("{{ 4.7 | floor }}"));
      assertEquals("5", render("{{ 4.2 | ceil }}"));
      assertEquals("3", render("{{ -3 | abs }}"));
      assertEquals("2.5", render("{{ v | abs }}", "v", -2.5));
    }

    @Test
    void arithmetic() throws Exception {
      assertEquals("5", render("{{ 2 | plus: 3 }}"));
      assertEquals("5.5", render("{{ 2 | plus: 3.5 }}"));
      assertEquals("1.0", render("{{ 1.5 | minus: 0.5 }}"));
      assertEquals("4.5", render("{{ 3 | times: 1.5 }}"));
      assertEquals("12", render("{{ 3 | times: 4 }}"));
      assertEquals("2", render("{{ 10 | divided_by: 4 }}"));
      assertEquals("2.5", render("{{ 10 | divided_by: 4.0 }}"));
      assertEquals("-4", render("{{ -7 | divided_by: 2 }}"));
      assertEquals("7", render("{{ 5 | at_least: 7 }}"));
      assertEquals("3", render("{{ 5 | at_most: 3 }}"));
      assertEquals("5", render("{{ 5 | at_most: 9 }}"));
    }

    @Test
    void divisionByZeroIsMissing() throws Exception {
      assertEquals("", render("{{ 5 | divided_by: 0 }}"));
      assertEquals("n/a", render("{{ 5 | divided_by: 0 | default: 'n/a' }}"));
      assertEquals("n/a", render("{{ 5.5 | divided_by: 0.0 | default: 'n/a' }}"));
    }

    @Test
    void numericStringsAndNonNumbers() throws Exception {
      assertEquals("5", render("{{ '2' | plus: 3 }}"));
      assertEquals("2.5", render("{{ v | times: 0.5 }}", "v", "5"));
      assertEquals("x", render("{{ 'abc' | plus: 3 | default: 'x' }}"));
      assertEquals("x", render("{{ missing | times: 2 | default: 'x' }}"));
      assertEquals("", render("{{ flag | round }}", "flag", true));
    }
  }

  @Nested
  class StringFilters {
    @Test
    void caseAndStrip() throws Exception {
      assertEquals("ANA", render("{{ n | upcase }}", "n", "ana"));
      assertEquals("ana", render("{{ n | downcase }}", "n", "ANA"));
      assertEquals("Hello world", render("{{ 'hELLO WORLD' | capitalize }}"));
      assertEquals("[hi]", render("[{{ s | strip }}]", "s", "  hi \n"));
    }

    @Test
    void appendPrependReplace() throws Exception {
      assertEquals("Mr. Smith!", render("{{ n | prepend: 'Mr. ' | append: '!' }}", "n", "Smith"));
      assertEquals(
          "Take your protein pills",
          render("{{ 'Take my protein pills' | replace: 'my', 'your' }}"));
      assertEquals("x", render("{{ missing | append: 'x' }}"));
    }

    @Test
    void sizeJoinFirstLast() throws Exception {
      List<Object> items = List.of("hat", "scarf", "gloves");
      assertEquals("5", render("{{ 'héllo' | size }}"));
      assertEquals("3", render("{{ items | size }}", "items", items));
      assertEquals("hat scarf gloves", render("{{ items | join }}", "items", items));
      assertEquals("hat/scarf/gloves", render("{{ items | join: '/' }}", "items", items));
      assertEquals("hat", render("{{ items | first }}", "items", items));
      assertEquals("gloves", render("{{ items | last | upcase | downcase }}", "items", items));
      assertEquals("0", render("{{ missing | size }}"));
    }

    @Test
    void truncateCountsTheEllipsis() throws Exception {
      assertEquals(
          "Ground control to...", render("{{ 'Ground control to Major Tom.' | truncate: 20 }}"));
      assertEquals(
          "ABCDEFG, and so on",
          render("{{ 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' | truncate: 18, ', and so on' }}"));
      assertEquals("short", render("{{ 'short' | truncate: 5 }}"));
      String sixty = "x".repeat(60);
      assertEquals("x".repeat(47) + "...", render("{{ s | truncate }}", "s", sixty));
    }
  }

  @Nested
  class Conditions {
    private static final String TIERS =
        "{% if cart_value >= 200 %}Free shipping{% elsif cart_units > 1 %}Bundle{% else %}Hi{% endif %}";

    @Test
    void ifElsifElse() throws Exception {
      assertEquals("Free shipping", render(TIERS, "cart_value", 250.0, "cart_units", 1L));
      assertEquals("Free shipping", render(TIERS, "cart_value", 200L, "cart_units", 1L));
      assertEquals("Bundle", render(TIERS, "cart_value", 150.5, "cart_units", 2L));
      assertEquals("Hi", render(TIERS, "cart_value", 150.5, "cart_units", 1L));
      assertEquals("Hi", render(TIERS));
    }

    @Test
    void nestedBlocks() throws Exception {
      String t =
          "{% if a %}A{% if b %}B{% else %}-{% endif %}{% elsif c %}C{% else %}none{% endif %}";
      assertEquals("AB", render(t, "a", true, "b", "yes"));
      assertEquals("A-", render(t, "a", true));
      assertEquals("C", render(t, "a", false, "c", 1L));
      assertEquals("none", render(t));
    }

    @Test
    void truthiness() throws Exception {
      String t = "{% if v %}T{% else %}F{% endif %}";
      assertEquals("F", render(t));
      assertEquals("F", render(t, "v", false));
      assertEquals("T", render(t, "v", 0L));
      assertEquals("T", render(t, "v", ""));
      assertEquals("T", render(t, "v", List.of()));
    }

    @Test
    void unless() throws Exception {
      String t = "{% unless vip %}Upgrade{% else %}Welcome back{% endunless %}";
      assertEquals("Upgrade", render(t));
      assertEquals("Upgrade", render(t, "vip", false));
      assertEquals("Welcome back", render(t, "vip", true));
      assertEquals("x", render("{% unless n > 5 %}x{% endunless %}", "n", 3L));
      assertEquals("", render("{% unless n > 5 %}x{% endunless %}", "n", 6L));
    }

    @Test
    void andOrGroupRightToLeft() throws Exception {
      assertEquals("yes", render("{% if a and b %}yes{% else %}no{% endif %}", "a", true, "b", 1L));
      assertEquals("no", render("{% if a and b %}yes{% else %}no{% endif %}", "a", true));
      assertEquals("yes", render("{% if a or b %}yes{% else %}no{% endif %}", "b", "x"));
      // true or (false and false)
      assertEquals("yes", render("{% if true or false and false %}yes{% else %}no{% endif %}"));
      // false and (false or true): plain precedence would say yes, Liquid says no
      assertEquals("no", render("{% if false and false or true %}yes{% else %}no{% endif %}"));
    }

    @Test
    void containsOnListsAndStrings() throws Exception {
      String t = "{% if tags contains 'vip' %}yes{% else %}no{% endif %}";
      assertEquals("yes", render(t, "tags", List.of("new", "vip")));
      assertEquals("no", render(t, "tags", List.of("new")));
      assertEquals("no", render(t));
      assertEquals(
          "yes", render("{% if title contains 'shoe' %}yes{% endif %}", "title", "Red shoes"));
      assertEquals(
          "", render("{% if title contains 'Shoe' %}yes{% endif %}", "title", "Red shoes"));
      assertEquals(
          "yes", render("{% if ids contains 2.0 %}yes{% endif %}", "ids", List.of(1L, 2L)));
      assertEquals("yes", render("{% if sku contains 42 %}yes{% endif %}", "sku", "A-42"));
    }

    @Test
    void comparisonsAcrossLongAndDouble() throws Exception {
      assertEquals("eq", render("{% if v == 2 %}eq{% endif %}", "v", 2.0));
      assertEquals("gt", render("{% if v > 1 %}gt{% endif %}", "v", 1.5));
      assertEquals("lt", render("{% if v < 2 %}lt{% endif %}", "v", 1.5));
      assertEquals("le", render("{% if v <= 19.0 %}le{% endif %}", "v", 19L));
      assertEquals("", render("{% if v != 19.0 %}ne{% endif %}", "v", 19L));
      assertEquals("ne", render("{% if v <> 19.5 %}ne{% endif %}", "v", 19L));
      assertEquals("", render("{% if v > 3 %}gt{% endif %}", "v", 3L));
    }

    @Test
    void mismatchedTypesAndStrings() throws Exception {
      assertEquals("", render("{% if '5' == 5 %}x{% endif %}"));
      assertEquals("x", render("{% if '5' != 5 %}x{% endif %}"));
      assertEquals("", render("{% if '10' > 5 %}x{% endif %}"));
      assertEquals("", render("{% if '10' < 5 %}x{% endif %}"));
      assertEquals("x", render("{% if 'b' > 'a' %}x{% endif %}"));
      assertEquals("x", render("{% if name == \"Ana\" %}x{% endif %}", "name", "Ana"));
      assertEquals("x", render("{% if missing == nil %}x{% endif %}"));
      assertEquals("", render("{% if missing > 0 %}x{% endif %}"));
    }

    @Test
    void filtersInsideConditions() throws Exception {
      assertEquals("long", render("{% if name | size > 3 %}long{% endif %}", "name", "Anabel"));
    }
  }

  @Nested
  class Paths {
    @Test
    void flatDottedName() throws Exception {
      assertEquals("A1", render("{{ event.sku }}", "event.sku", "A1"));
    }

    @Test
    void nestedMap() throws Exception {
      assertEquals("B2", render("{{ event.sku }}", "event", Map.of("sku", "B2")));
      assertEquals("deep", render("{{ a.b.c }}", "a", Map.of("b", Map.of("c", "deep"))));
      assertEquals("mixed", render("{{ a.b.c }}", "a.b", Map.of("c", "mixed")));
    }

    @Test
    void flatNameWinsOverNestedMap() throws Exception {
      assertEquals(
          "flat", render("{{ event.sku }}", "event.sku", "flat", "event", Map.of("sku", "nested")));
    }

    @Test
    void missingSegments() throws Exception {
      assertEquals("", render("{{ event.sku }}", "event", Map.of("id", "1")));
      assertEquals("", render("{{ event.sku }}", "event", "not a map"));
      assertEquals("none", render("{{ event.sku | default: 'none' }}"));
    }

    @Test
    void nestedValuesInConditions() throws Exception {
      assertEquals(
          "big",
          render("{% if order.total > 100 %}big{% endif %}", "order", Map.of("total", 120.5)));
    }

    @Test
    void sizeFirstLastProperties() throws Exception {
      assertEquals(
          "3 a c", render("{{ l.size }} {{ l.first }} {{ l.last }}", "l", List.of("a", "b", "c")));
    }
  }

  @Nested
  class Rendering {
    @Test
    void valueKinds() throws Exception {
      assertEquals("a, b", render("{{ tags }}", "tags", List.of("a", "b")));
      assertEquals("1, 2.5", render("{{ l }}", "l", List.of(1L, 2.5)));
      assertEquals("", render("{{ m }}", "m", Map.of("k", "v")));
      assertEquals("true/false", render("{{ t }}/{{ f }}", "t", true, "f", false));
      assertEquals(
          "2024-05-01T10:00:00Z", render("{{ at }}", "at", Instant.parse("2024-05-01T10:00:00Z")));
      assertEquals("", render("{{ missing }}"));
    }

    @Test
    void literals() throws Exception {
      assertEquals(
          "a b 3 2.5 true  ",
          render("{{ 'a' }} {{ \"b\" }} {{ 3 }} {{ 2.5 }} {{ true }} {{ nil }} {{ null }}"));
    }

    @Test
    void textIsVerbatim() throws Exception {
      String t = "Price: {50% off} } %} }}\nline 2 { {";
      assertEquals(t, render(t));
      assertEquals("", render("{{ }}"));
      assertEquals("x }} y", render("{{ 'x }} y' }}"));
    }
  }

  @Nested
  class WhitespaceControl {
    @Test
    void outputTrims() throws Exception {
      assertEquals("HelloAna!", render("Hello  {{- name -}}  !", "name", "Ana"));
      assertEquals("Hello Ana!", render("Hello {{- ' ' -}} \n Ana!"));
      assertEquals("a X b", render("a {{ x }} b", "x", "X"));
      assertEquals("aX b", render("a {{- x }} b", "x", "X"));
      assertEquals("a Xb", render("a {{ x -}} b", "x", "X"));
    }

    @Test
    void tagTrims() throws Exception {
      String t = "<p>\n  {%- if x -%}\n  yes\n  {%- else -%}\n  no\n  {%- endif -%}\n</p>";
      assertEquals("<p>yes</p>", render(t, "x", true));
      assertEquals("<p>no</p>", render(t));
      assertEquals("a\n\nb", render("a\n{% if x %}\n{% endif %}b", "x", true));
    }
  }

  @Nested
  class Variables {
    @Test
    void collectsEveryPathSorted() throws Exception {
      Template t =
          Template.parse(
              "{{ first_name | default: fallback_name }} {% if event.sku contains 'A' and cart_value > 10 %}"
                  + "{{ 'literal' | append: suffix }}{% elsif true %}{{ 42 }}{% endif %}{{ first_name }}");
      assertEquals(
          new TreeSet<>(Set.of("cart_value", "event.sku", "fallback_name", "first_name", "suffix")),
          t.variables());
      assertEquals(
          List.of("cart_value", "event.sku", "fallback_name", "first_name", "suffix"),
          List.copyOf(t.variables()));
    }

    @Test
    void literalsOnlyMeansNoVariables() throws Exception {
      assertEquals(
          Set.of(),
          Template.parse("Hi {{ 'there' | upcase }} {% if true %}x{% endif %}").variables());
    }

    @Test
    void sourceIsKept() throws Exception {
      String src = "Hi {{ name }}";
      assertEquals(src, Template.parse(src).source());
    }
  }

  @Nested
  class ParseErrors {
    @Test
    void unknownFilter() {
      assertError("Hi {{ name | upcasee }}", "unknown filter 'upcasee'", 1, 14);
      assertError("Line one\n  {{ x | nope }}", "unknown filter 'nope'", 2, 10);
      assertError("a\r\nb\r\n{{ x | bad }}", "unknown filter 'bad'", 3, 8);
      assertError("{% if x | bogus %}y{% endif %}", "unknown filter 'bogus'", 1, 11);
    }

    @Test
    void unclosedIf() {
      assertError("Hello\n{% if a %}x", "unclosed {% if %}", 2, 4);
      assertError("{% if a %}{% if b %}x{% endif %}", "unclosed {% if %}", 1, 4);
      assertError("{% unless a %}x", "unclosed {% unless %}", 1, 4);
    }

    @Test
    void strayEndif() {
      assertError("a {% endif %}", "unexpected {% endif %}", 1, 6);
      assertError("x\n  {%- endif -%}", "unexpected {% endif %}", 2, 7);
      assertError("{% else %}", "unexpected {% else %}", 1, 4);
      assertError("{% if a %}{% unless b %}{% endif %}", "unexpected {% endif %}", 1, 28);
      assertError("{% if a %}{% else %}{% else %}{% endif %}", "unexpected {% else %}", 1, 24);
      assertError("{% if a %}{% else %}{% elsif b %}{% endif %}", "unexpected {% elsif %}", 1, 24);
    }

    @Test
    void unterminatedOutput() {
      assertError("Hi {{ name", "'{{' without matching '}}'", 1, 4);
      assertError("one\ntwo {{ name, see {{ other }}", "'{{' without matching '}}'", 2, 5);
      assertError("Hi {% if a", "'{%' without matching '%}'", 1, 4);
    }

    @Test
    void unknownTag() {
      assertError("x\n\n{% for item in items %}{% endfor %}", "unknown tag 'for'", 3, 4);
      assertError("{%- assign a = 1 %}", "unknown tag 'assign'", 1, 5);
    }

    @Test
    void wrongFilterArgumentCounts() {
      assertError("{{ v | round: 2, 3 }}", "filter 'round' takes at most 1 argument", 1, 8);
      assertError("{{ v | replace: 'a' }}", "filter 'replace' takes at least 2 arguments", 1, 8);
      assertError("{{ v | upcase: 'x' }}", "filter 'upcase' takes no arguments", 1, 8);
      assertError("{{ v | default }}", "filter 'default' takes at least 1 argument", 1, 8);
      assertError(
          "{{ v | truncate: 1, 'x', 'y' }}", "filter 'truncate' takes at most 2 arguments", 1, 8);
    }

    @Test
    void otherSyntaxErrors() {
      assertError("{{ 'abc }}", "unterminated string literal", 1, 4);
      assertError("{{ a b }}", "unexpected 'b'", 1, 6);
      assertError("{% if %}x{% endif %}", "missing condition in {% if %}", 1, 4);
      assertError("{% if a = 1 %}x{% endif %}", "unexpected character '='", 1, 9);
      assertError("{% endif extra %}", "unexpected {% endif %}", 1, 4);
      assertError(
          "{% if a %}{% else junk %}{% endif %}", "unexpected 'junk' after {% else %}", 1, 19);
      assertError("{{ v | }}", "expected a filter name after '|'", 1, 6);
      assertError("{{ v | plus: }}", "expected an argument for filter 'plus'", 1, 14);
    }
  }

  @Test
  void renderingTwiceAndConcurrentlyIsIndependent() throws Exception {
    Template t = Template.parse("{{ n | times: 2 }}");
    assertEquals("4", t.render(p -> p.equals("n") ? 2L : null));
    assertEquals("10", t.render(p -> p.equals("n") ? 5L : null));
  }

  @Test
  void renderingIsClippedToTheAskedLengthWithoutSplittingACharacter() throws Exception {
    Template t = Template.parse("{{ a }}{{ a }}");
    assertEquals("xyxy", t.render(p -> "xy", 4));
    assertEquals("xy\u2026", t.render(p -> "xy", 3));
    // A character outside the BMP counts once and is never cut in half.
    assertEquals("\uD83D\uDE00\u2026", t.render(p -> "\uD83D\uDE00\uD83D\uDE00", 2));
    assertEquals("\uD83D\uDE00\uD83D\uDE00", t.render(p -> "\uD83D\uDE00", 2));
  }

  @Test
  void filtersThatMultiplyALengthStopAtTheValueLimit() throws Exception {
    String grow = "{{ w | replace: '', w | replace: '', w | replace: '', w | size }}";
    assertEquals(
        String.valueOf(Template.MAX_VALUE_CHARS),
        Template.parse(grow).render(p -> "ab".repeat(2000)));
    assertEquals(
        String.valueOf(Template.MAX_VALUE_CHARS),
        Template.parse("{{ list | join: sep | size }}")
            .render(
                p ->
                    p.equals("list")
                        ? java.util.Collections.nCopies(10_000, "x")
                        : "-".repeat(100)));
    assertEquals("xaxbx", Template.parse("{{ 'ab' | replace: '', 'x' }}").render(p -> null));
    assertEquals("a-b-", Template.parse("{{ 'a.b.' | replace: '.', '-' }}").render(p -> null));
  }

  @Test
  void serializesAsSource() throws Exception {
    Template t = Template.parse("{{ a | default: 'x' }}");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      Template copy = (Template) in.readObject();
      assertEquals("x", copy.render(p -> null));
      assertEquals(Set.of("a"), copy.variables());
    }
  }
}
