package dev.signagefleet.management.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Both languages say everything, and every text a page asks for by a literal key exists. */
class MessagesTest {

    private static final Pattern LITERAL_KEY = Pattern.compile("\\.t\\(\"([A-Za-z0-9_.-]+)\"");

    @Test
    void japaneseHasEveryEnglishKeyAndNoOther() {
        Set<String> english = Messages.of("en").keys();
        Set<String> japanese = Messages.of("ja").keys();
        assertThat(english).isNotEmpty();
        assertThat(japanese).containsExactlyInAnyOrderElementsOf(english);
        for (String key : english) {
            assertThat(Messages.of("ja").t(key)).as(key).isNotBlank();
        }
    }

    @Test
    void everyLiteralKeyInTemplatesAndPagesExists() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Path dir : new Path[] {Path.of("src/main/jte"), Path.of("src/main/java/dev/signagefleet/management/console")}) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Matcher m = LITERAL_KEY.matcher(Files.readString(file));
                    while (m.find()) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        assertThat(used).hasSizeGreaterThan(100);
        Set<String> known = Messages.of("en").keys();
        assertThat(used.stream().filter(k -> !known.contains(k) && !k.endsWith(".")).toList()).as("keys without a text").isEmpty();
    }

    @Test
    void theLanguageComesFromTheChoiceElseTheBrowserElseEnglish() {
        assertThat(Messages.of("ja").t("nav.devices")).isEqualTo("端末");
        assertThat(Messages.of("xx").language()).isEqualTo("en");
        assertThat(Messages.of("en").t("no.such.key")).isEqualTo("[no.such.key]");
        assertThat(Messages.of("en").t("time.minutesAgo", 3)).isEqualTo("3 min ago");
    }
}
