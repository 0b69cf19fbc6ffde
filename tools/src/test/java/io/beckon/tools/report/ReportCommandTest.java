package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @Test
  void filesInTableAndPageOut(@TempDir Path dir) throws Exception {
    Path commands = Files.write(dir.resolve("c.jsonl"), ReportFixtures.commands());
    Path suppressions = Files.write(dir.resolve("s.jsonl"), ReportFixtures.suppressions());
    Path conversions = Files.write(dir.resolve("v.jsonl"), ReportFixtures.conversions());
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("promo.yaml"), ReportFixtures.PROMO);
    Path html = dir.resolve("report.html");

    int status =
        ReportCommand.run(
            new String[] {
              "--commands", commands.toString(),
              "--suppressions", suppressions.toString(),
              "--conversions", conversions.toString(),
              "--rules", rules.toString(),
              "--html", html.toString()
            });

    assertEquals(0, status);
    var doc = Jsoup.parse(Files.readString(html, StandardCharsets.UTF_8));
    assertEquals(java.util.List.of("ghost", "plain", "promo"), doc.select("tr.rule th").eachText());
  }

  @Test
  void wrongUseIsStatus2AndBadInputStatus1(@TempDir Path dir) throws Exception {
    assertEquals(2, ReportCommand.run(new String[] {}));
    assertEquals(2, ReportCommand.run(new String[] {"--commands", "c.jsonl"}), "no suppressions");
    assertEquals(
        2,
        ReportCommand.run(
            new String[] {"--commands", "c", "--suppressions", "s", "--bootstrap-servers", "h:1"}));
    assertEquals(2, ReportCommand.run(new String[] {"--colour", "red"}));

    Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{not json}\n");
    assertEquals(
        1,
        ReportCommand.run(
            new String[] {"--commands", bad.toString(), "--suppressions", bad.toString()}));
    assertEquals(
        1,
        ReportCommand.run(
            new String[] {
              "--commands", dir.resolve("absent").toString(), "--suppressions", bad.toString()
            }));
    assertTrue(Files.notExists(dir.resolve("report.html")));
  }
}
