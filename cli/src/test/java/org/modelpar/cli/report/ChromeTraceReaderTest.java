package org.modelpar.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.modelpar.cli.CliInputException;

class ChromeTraceReaderTest {
    private static final String TRACE = """
            {"traceEvents": [
             {"ph":"M","name":"process_name","pid":0,"args":{"name":"n0g1"}},
             {"ph":"M","name":"thread_name","pid":0,"tid":0,"args":{"name":"compute"}},
             {"ph":"M","name":"thread_name","pid":0,"tid":1,"args":{"name":"communication"}},
             {"ph":"X","name":"F s0 mb0","cat":"compute","pid":0,"tid":0,"ts":0,"dur":1000},
             {"ph":"b","name":"send act s0>s1 mb0","cat":"communication","id":7,"pid":0,"tid":1,"ts":1000},
             {"ph":"b","name":"send act s0>s1 mb1","cat":"communication","id":8,"pid":0,"tid":1,"ts":1500},
             {"ph":"e","name":"send act s0>s1 mb0","cat":"communication","id":7,"pid":0,"tid":1,"ts":3000},
             {"ph":"e","name":"send act s0>s1 mb1","cat":"communication","id":8,"pid":0,"tid":1,"ts":2500},
             {"ph":"C","name":"memory","pid":0,"ts":1000,"args":{"bytes":2048}},
             {"ph":"X","name":"F s1 mb0","pid":1,"tid":0,"ts":3000,"dur":500}
            ]}
            """;

    @Test
    void readsCompleteAsyncAndCounterEvents() {
        Trace t = ChromeTraceReader.parse(TRACE, "t.json");
        assertThat(t.spans()).containsExactly(
                new Trace.Span("n0g1 compute", "F s0 mb0", 0, 0.001, -1),
                new Trace.Span("n0g1 communication", "send act s0>s1 mb0", 0.001, 0.002, -1),
                new Trace.Span("n0g1 communication", "send act s0>s1 mb1", 0.0015, 0.001, -1),
                new Trace.Span("1/0", "F s1 mb0", 0.003, 0.0005, -1));
        assertThat(t.counters()).containsExactly(new Trace.Counter("n0g1 memory", 0.001, 2048));
        assertThat(t.spansOf("n0g1")).hasSize(3);
        assertThat(t.spansOf("n0g")).isEmpty();
        assertThat(t.countersOf("n0g1")).hasSize(1);
        assertThat(t.durationSeconds()).isEqualTo(0.0035);
        assertThat(t.spans().get(1).kind()).isEqualTo(SpanKind.COMMUNICATION);
        assertThat(t.spans().get(2).microBatch()).isEqualTo(1);
    }

    @Test
    void lastStepKeepsItsSpansAndTheMemoryBeforeIt() {
        Trace t = ChromeTraceReader.parse("""
                [{"ph":"X","name":"F s0 mb0","pid":0,"tid":0,"ts":0,"dur":10,"args":{"step":0}},
                 {"ph":"C","name":"memory","pid":0,"ts":5,"args":{"bytes":100}},
                 {"ph":"C","name":"memory","pid":0,"ts":15,"args":{"bytes":300}},
                 {"ph":"X","name":"F s0 mb0","pid":0,"tid":0,"ts":20,"dur":10,"args":{"step":1}},
                 {"ph":"C","name":"memory","pid":0,"ts":25,"args":{"bytes":200}},
                 {"ph":"C","name":"memory","pid":0,"ts":40,"args":{"bytes":50}}]
                """, "steps.json").lastStep();
        assertThat(t.spans()).containsExactly(new Trace.Span("0/0", "F s0 mb0", 20e-6, 10e-6, 1));
        assertThat(t.counters()).containsExactly(new Trace.Counter("memory", 20e-6, 300), new Trace.Counter("memory", 25e-6, 200));
    }

    @Test
    void malformedTracesAreOneLineErrors() {
        assertThatThrownBy(() -> ChromeTraceReader.parse("{\"traceEvents\": 3}", "x.json"))
                .isInstanceOf(CliInputException.class).hasMessage("trace x.json has no traceEvents array");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[{\"ph\":\"X\",\"name\":\"F s0 mb0\",\"ts\":\"a\",\"dur\":1}]", "y.json"))
                .hasMessage("trace y.json: event 0 (F s0 mb0) needs a numeric ts");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[{\"ph\":\"e\",\"name\":\"send\",\"id\":3,\"ts\":1}]", "z.json"))
                .hasMessage("trace z.json: event 0 ends async span 'send' (id 3) that never began");
    }
}
