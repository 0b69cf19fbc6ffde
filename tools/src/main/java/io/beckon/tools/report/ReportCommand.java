package io.beckon.tools.report;

import io.beckon.engine.rules.RuleSet;
import io.beckon.tools.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code beckon report}: what each rule did, from {@code beckon replay}'s files or from the job's
 * output topics; a table on stdout and, with {@code --html}, a page.
 */
public final class ReportCommand {
  private ReportCommand() {}

  public static int run(String[] args) {
    Options options;
    try {
      options =
          Options.parse(
              args,
              Set.of(
                  "commands",
                  "suppressions",
                  "conversions",
                  "journeys",
                  "rules",
                  "html",
                  "bootstrap-servers",
                  "schema-registry",
                  "topic-prefix"),
              Set.of());
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    boolean fromFiles = options.get("commands", null) != null;
    boolean fromTopics = options.get("bootstrap-servers", null) != null;
    if (fromFiles == fromTopics) {
      return usage("give either --commands and --suppressions or --bootstrap-servers");
    }
    String missing =
        fromFiles
            ? options.get("suppressions", null) == null ? "--suppressions" : null
            : options.get("schema-registry", null) == null ? "--schema-registry" : null;
    if (missing != null) {
      return usage(missing + " is required");
    }
    try {
      RuleSet rules = rules(options.get("rules", null));
      ReportTopics.Lines lines;
      if (fromFiles) {
        if (options.get("bootstrap-servers", null) != null
            || options.get("topic-prefix", null) != null) {
          return usage(
              "--commands reads files; --bootstrap-servers and --topic-prefix read topics");
        }
        String conversions = options.get("conversions", null);
        lines =
            new ReportTopics.Lines(
                read(options.require("commands")),
                read(options.require("suppressions")),
                conversions == null ? List.of() : read(conversions));
      } else {
        if (options.get("suppressions", null) != null
            || options.get("conversions", null) != null
            || options.get("journeys", null) != null) {
          return usage("--suppressions, --conversions and --journeys read files, not topics");
        }
        lines =
            ReportTopics.read(
                options.require("bootstrap-servers"),
                options.require("schema-registry"),
                options.get("topic-prefix", ""));
      }
      ReportModel model =
          ReportModel.from(lines.commands(), lines.suppressions(), lines.conversions(), rules);
      System.out.print(TerminalReport.render(model));
      String journeys = options.get("journeys", null);
      if (journeys != null) {
        System.out.print(journeySummary(read(journeys), rules));
      }
      String html = options.get("html", null);
      if (html != null) {
        Files.writeString(Path.of(html), HtmlReport.render(model), StandardCharsets.UTF_8);
        System.err.println("report: wrote " + html);
      }
      return 0;
    } catch (RuleSet.InvalidRulesException e) {
      e.problems().forEach(p -> System.err.println("report: " + p));
      return 1;
    } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
      System.err.println("report: " + e.getMessage());
      return 1;
    }
  }

  /**
   * The journeys' funnel from a replay's {@code --journeys} file: entries, exits by reason, sends
   * per step; with {@code --rules}, every journey of the folder and its send steps in file order.
   */
  static String journeySummary(List<String> journeyEvents, RuleSet rules) {
    JourneySummary summary = new JourneySummary();
    journeyEvents.stream().filter(l -> !l.isBlank()).forEach(summary::addJson);
    StringBuilder out = new StringBuilder("\njourneys:\n");
    summary
        .lines(rules == null ? List.of() : rules.journeys())
        .forEach(l -> out.append(l).append('\n'));
    return out.toString();
  }

  private static RuleSet rules(String dir) {
    return dir == null ? null : RuleSet.parse(RuleSet.readFolder(Path.of(dir)));
  }

  private static List<String> read(String file) throws IOException {
    try {
      return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IOException("no such file: " + file, e);
    }
  }

  private static int usage(String problem) {
    System.err.println("report: " + problem);
    System.err.println(
        "usage: beckon report --commands FILE --suppressions FILE [--conversions FILE]"
            + " [--journeys FILE] [--rules DIR] [--html FILE]\n"
            + "       beckon report --bootstrap-servers HOST:PORT --schema-registry URL"
            + " [--topic-prefix P] [--rules DIR] [--html FILE]");
    return 2;
  }
}
