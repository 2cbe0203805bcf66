package features

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"district", "Thành phố Thủ Dầu Một", "thanh pho thu dau mot"},
		{"d with stroke", "Đường Điện Biên", "duong dien bien"},
		{"already plain", "thu dau mot", "thu dau mot"},
		{"punctuation and spaces", "  Chợ  Lái-Thiêu, ", "cho lai thieu"},
		{"hook above and dot below", "Bắc Tân Uyên Ỷ Ợ", "bac tan uyen y o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
