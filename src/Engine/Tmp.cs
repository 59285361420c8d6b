namespace HealthSync.Engine; internal static class Placeholder2 {}
