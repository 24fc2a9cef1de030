/// `1 node`, `2 nodes`: a number and its noun, for the lines people read.
func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
    "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
}
