package org.modelpar.cli.report;

import java.util.List;
import java.util.Locale;

/** Small HTML and number formatting helpers. */
final class Html {
    private Html() {
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A table with a header row (none when {@code header} is empty); cells are escaped. */
    static String table(String id, List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table id=\"").append(id).append("\">");
        if (!header.isEmpty()) {
            b.append("<thead><tr>");
            header.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
            b.append("</tr></thead>");
        }
        b.append("<tbody>\n");
        for (List<String> row : rows) {
            b.append("<tr>");
            row.forEach(c -> b.append("<td>").append(escape(c)).append("</td>"));
            b.append("</tr>\n");
        }
        return b.append("</tbody></table>\n").toString();
    }

    static String seconds(double s) {
        if (!Double.isFinite(s)) {
            return "-";
        }
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.3f s", s);
        }
        return String.format(Locale.ROOT, "%.3f ms", s * 1e3);
    }

    /** Device ids, shortened to first..last (n) when there are many. */
    static String devices(List<String> ids) {
        return ids.size() <= 4 ? String.join(", ", ids) : ids.get(0) + " .. " + ids.get(ids.size() - 1) + " (" + ids.size() + ")";
    }
}
