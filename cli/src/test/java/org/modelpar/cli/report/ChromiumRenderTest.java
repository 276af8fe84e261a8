package org.modelpar.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report in headless Chromium (Debian's {@code chromium}; .ci/install-chromium installs it)
 * and checks that the page's sections exist and every chart image decodes (naturalWidth > 0). A small
 * script appended to a copy of the report writes what it found into the DOM, which --dump-dom prints.
 * Skipped when Chromium is absent.
 */
class ChromiumRenderTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String CHECK = """
            <script>
            window.addEventListener('load', () => {
              const imgs = [...document.images];
              const loaded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
              const ids = ['summary','stages','explanation','timeline-simulated','timeline-measured','memory-simulated',
                           'stages-simulated','runner-ups'].filter(id => document.getElementById(id) !== null).length;
              const pre = document.createElement('pre');
              pre.id = 'check';
              pre.textContent = 'images=' + imgs.length + ' loaded=' + loaded + ' sections=' + ids
                  + ' runnerUpRows=' + document.querySelectorAll('#runner-ups tbody tr').length;
              document.body.appendChild(pre);
            });
            </script>
            """;

    @Test
    void reportRendersWithItsCharts(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (.ci/install-chromium installs it)");
        String html = HtmlReport.render(HtmlReportTest.input(true)).replace("</body>", CHECK + "</body>");
        Path page = dir.resolve("report.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        String dom = dumpDom(page, dir.resolve("profile"));
        Matcher m = Pattern.compile("<pre id=\"check\">([^<]*)</pre>").matcher(dom);
        assertThat(m.find()).as("check script output in DOM:%n%s", dom.length() > 2000 ? dom.substring(0, 2000) : dom).isTrue();
        assertThat(m.group(1)).isEqualTo("images=6 loaded=6 sections=8 runnerUpRows=2");
    }

    static String dumpDom(Path page, Path profile) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=10000",
                "--dump-dom", page.toUri().toString()));
        Path out = profile.resolveSibling("dom.html");
        Path err = profile.resolveSibling("chromium.log");
        Process proc = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!proc.waitFor(120, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(err));
        }
        assertThat(proc.exitValue()).as("chromium exit code; log:%n%s", Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
