import ROMACore
import ROMAEngine
import Testing

@Suite("A manifest's engine: section applied to the engine")
struct EngineSettingsTests {
    @Test("every knob the section sets is applied; the ones it leaves out keep their values")
    func appliesWhatIsSet() {
        var settings = EngineSettings(maxSubtasks: 4, maxLLMCalls: 50, maxTokens: 9_000)
        settings.maxCostUSD = 0.25
        settings.maxToolCalls = 3
        settings.toolTimeoutSeconds = 7
        settings.toolCalling = "constrained"
        settings.toolChoice = "required"
        settings.toolArguments = "required"
        var configuration = EngineConfiguration()
        configuration.apply(settings)
        #expect(configuration.maxSubtasks == 4)
        #expect(configuration.maxLLMCalls == 50)
        #expect(configuration.maxTokens == 9_000)
        #expect(configuration.maxCostUSD == 0.25)
        #expect(configuration.maxToolCalls == 3)
        #expect(configuration.toolTimeout == .seconds(7))
        #expect(configuration.toolCalling == .constrained)
        #expect(configuration.requireToolCall)
        #expect(configuration.requiredToolArgumentsOnly)

        var untouched = EngineConfiguration(maxSubtasks: 5, maxLLMCalls: 60)
        untouched.apply(EngineSettings(maxTokens: 1_000))
        #expect(untouched.maxSubtasks == 5 && untouched.maxLLMCalls == 60 && untouched.maxTokens == 1_000)
        #expect(untouched.maxCostUSD == nil && untouched.toolCalling == .auto && !untouched.requireToolCall)
    }
}
