package io.isofold.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test class of every module carries exactly one of the tags that scripts/test.sh and Maven's
 * -Dgroups select by (docs/testing.md), on the class itself: a class with none would run in no
 * selection but the full one, a class with two in both.
 */
@Tag("unit")
class TestTagsTest {
    static final Set<String> TAGS = Set.of("unit", "e2e", "slurm", "browser");
    private static final Pattern TEST_METHOD =
            Pattern.compile("^\\s*@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b", Pattern.MULTILINE);
    private static final Pattern CLASS =
            Pattern.compile("^(?:public |abstract |final )*(?:class|record|interface) \\w+", Pattern.MULTILINE);
    private static final Pattern TAG = Pattern.compile("@Tag\\(\"([^\"]*)\"\\)");

    @Test
    void everyTestClassHasExactlyOneTagOfTheSet() throws IOException {
        Path home = Path.of(System.getProperty("isofold.home", ".."));
        List<String> wrong = new ArrayList<>();
        int classes = 0;
        for (String module : List.of("shared", "worker", "supervisor")) {
            try (Stream<Path> walk = Files.walk(home.resolve(module).resolve("src/test/java"))) {
                for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    String source = Files.readString(file);
                    if (!TEST_METHOD.matcher(source).find()) {
                        continue;
                    }
                    classes++;
                    String problem = problem(source);
                    if (problem != null) {
                        wrong.add(home.relativize(file) + ": " + problem);
                    }
                }
            }
        }
        assertThat(classes).as("test classes found under " + home.toAbsolutePath()).isGreaterThan(50);
        assertThat(wrong).as("test classes without exactly one of @Tag(%s) on the class", TAGS).isEmpty();
    }

    @Test
    void theCheckSeesWhatIsWrong() {
        String test = "\n    @Test\n    void t() {}\n}\n";
        assertThat(problem("@Tag(\"unit\")\nclass A {" + test)).isNull();
        assertThat(problem("class A {" + test)).isEqualTo("no tag");
        assertThat(problem("@Tag(\"unit\")\n@Tag(\"e2e\")\nclass A {" + test)).isEqualTo("tags [unit, e2e]");
        assertThat(problem("@Tag(\"fast\")\nclass A {" + test)).isEqualTo("tag fast is none of the set");
        assertThat(problem("class A {\n    @Tag(\"unit\")" + test)).isEqualTo("a tag on a method");
    }

    /** What is wrong with the tags of this test class's source, or null. */
    static String problem(String source) {
        Matcher declaration = CLASS.matcher(source);
        if (!declaration.find()) {
            return "no top-level class declaration found";
        }
        List<String> onClass = new ArrayList<>();
        Matcher tag = TAG.matcher(source);
        while (tag.find()) {
            if (tag.start() > declaration.start()) {
                return "a tag on a method";
            }
            onClass.add(tag.group(1));
        }
        if (onClass.isEmpty()) {
            return "no tag";
        }
        if (onClass.size() > 1) {
            return "tags " + onClass;
        }
        return TAGS.contains(onClass.get(0)) ? null : "tag " + onClass.get(0) + " is none of the set";
    }
}
